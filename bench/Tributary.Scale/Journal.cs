using System.Text.Json;

namespace Tributary.Scale;

/// <summary>What an instance did, one JSON line each: a run it queued (<c>queued</c>), a message it began (<c>start</c>) and
/// what came of it (<c>end</c>; <see cref="Ran"/> false for a duplicate dropped or a busy connector sent back).</summary>
internal sealed record JournalEntry(string Kind, string Instance, string Connection, string SyncId, int Continuation, string Trigger, DateTimeOffset RequestedAt)
{
    public bool Ran { get; init; }

    public string? Outcome { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public long Upserts { get; init; }
}

/// <summary>An instance's journal file, each line flushed as written so a killed instance leaves all it finished.</summary>
internal sealed class Journal : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly StreamWriter _writer;
    private readonly Lock _gate = new();

    public Journal(string path) => _writer = new StreamWriter(path, append: false) { AutoFlush = true };

    public void Write(JournalEntry entry)
    {
        var line = JsonSerializer.Serialize(entry, Json);
        lock (_gate)
        {
            _writer.WriteLine(line);
        }
    }

    public static IEnumerable<JournalEntry> Read(string path) =>
        File.ReadLines(path)
            .Where(static line => line.Length > 0 && line[^1] == '}')   // a killed instance may leave half a line
            .Select(static line => JsonSerializer.Deserialize<JournalEntry>(line, Json)!);

    public void Dispose() => _writer.Dispose();
}
