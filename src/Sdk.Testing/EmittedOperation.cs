using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tributary.Sdk.Testing;

/// <summary>What a connector can emit.</summary>
public enum OperationKind
{
    /// <summary><c>UpsertAsync</c>: a whole row.</summary>
    Upsert,

    /// <summary><c>UpdateAsync</c>: the keys and the changed columns.</summary>
    Update,

    /// <summary><c>DeleteAsync</c>: the keys.</summary>
    Delete,

    /// <summary><c>TruncateAsync</c>.</summary>
    Truncate,

    /// <summary><c>CheckpointAsync</c>, once the engine has saved the state.</summary>
    Checkpoint,
}

/// <summary>One operation a connector emitted during a sync, as <see cref="ConnectorHarness.Operations"/> lists them.</summary>
/// <param name="Kind">Which operation.</param>
/// <param name="Table">The table as the connector named it; null for a checkpoint.</param>
/// <param name="Data">The row, the keys or the checkpoint's state as JSON (as the engine reads an object: its public
/// properties, a dictionary's entries); null for a truncate.</param>
/// <param name="At">The harness clock's time when the connector emitted it.</param>
public sealed record EmittedOperation(OperationKind Kind, string? Table, JsonObject? Data, DateTimeOffset At)
{
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Whether it changes a table (anything but a checkpoint).</summary>
    public bool IsData => Kind != OperationKind.Checkpoint;

    /// <summary>One line: kind, table and data, for messages and for comparing what two syncs emitted.</summary>
    public override string ToString() => $"{Kind} {Table} {Json(Data)}".TrimEnd();

    /// <summary>JSON as a reader expects it: <c>+</c> and non-ASCII letters as they are, not escaped.</summary>
    internal static string Json(JsonNode? node) => node?.ToJsonString(Readable) ?? string.Empty;
}
