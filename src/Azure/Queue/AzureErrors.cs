using Azure;

namespace Tributary.Azure.Queue;

/// <summary>What Azure's clients throw that is worth retrying.</summary>
public static class AzureErrors
{
    /// <summary>
    /// Whether <paramref name="exception"/> is a transient failure of an Azure service: a <see cref="RequestFailedException"/>
    /// with status 408, 429 or 5xx, or with no status at all (the request never got an answer). A host passes it to
    /// <see cref="Runtime.SyncRunnerOptions.IsTransient"/>.
    /// </summary>
    /// <param name="exception">The exception; its inner exceptions are looked at by <see cref="Runtime.State.RunErrors.Classify"/>.</param>
    public static bool IsTransient(Exception exception) =>
        exception is RequestFailedException { Status: 0 or 408 or 429 or >= 500 };
}
