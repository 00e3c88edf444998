using Tributary.Destinations.Delta.Storage;
using Tributary.Destinations.Delta.Tests;

namespace Tributary.Destinations.Delta.Crash;

/// <summary>A lake folder that, before its <paramref name="commit"/>th log version is created, says "ready" and never returns.</summary>
internal sealed class StopBeforeCommit(ILakeStorage inner, int commit) : DelegatingLakeStorage(inner)
{
    private int _commits;

    public override async Task<bool> TryCreateAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        if (path.Contains("/_delta_log/", StringComparison.Ordinal) && path.EndsWith(".json", StringComparison.Ordinal) && ++_commits == commit)
        {
            await Console.Out.WriteLineAsync("ready");
            await Console.Out.FlushAsync(cancellationToken);
            await Task.Delay(Timeout.Infinite, CancellationToken.None);
        }

        return await Inner.TryCreateAsync(path, content, cancellationToken);
    }
}
