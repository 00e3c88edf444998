namespace Tributary.Destinations.Delta.Log;

/// <summary>
/// The protocol versions and table features Tributary reads and writes: reader 1 (or 3 with <c>timestampNtz</c>),
/// writer 2 (or 7 with <c>timestampNtz</c>, <c>appendOnly</c>, <c>invariants</c>). Anything else (deletion vectors,
/// column mapping, v2 checkpoints…) changes what a file or a log entry means, so such a table is refused.
/// </summary>
internal static class DeltaFeatures
{
    private static readonly HashSet<string> Reader = new(StringComparer.Ordinal) { "timestampNtz" };
    private static readonly HashSet<string> Writer = new(StringComparer.Ordinal) { "timestampNtz", "appendOnly", "invariants" };

    /// <summary>Throws unless Tributary can read and write a table with <paramref name="protocol"/>.</summary>
    /// <exception cref="NotSupportedException">A version or feature Tributary does not implement, named in the message.</exception>
    public static void EnsureSupported(DeltaProtocol protocol, string tablePath)
    {
        var reader = protocol.MinReaderVersion switch
        {
            1 => [],
            3 => (protocol.ReaderFeatures ?? []).Where(feature => !Reader.Contains(feature)).ToArray(),
            _ => [$"minReaderVersion {protocol.MinReaderVersion}"],
        };
        var writer = protocol.MinWriterVersion switch
        {
            1 or 2 => [],
            7 => (protocol.WriterFeatures ?? []).Where(feature => !Writer.Contains(feature)).ToArray(),
            _ => [$"minWriterVersion {protocol.MinWriterVersion}"],
        };
        var missing = reader.Concat(writer).Distinct(StringComparer.Ordinal).ToArray();
        if (missing.Length > 0)
        {
            throw new NotSupportedException(
                $"The Delta table '{tablePath}' needs {string.Join(", ", missing)}, which Tributary does not implement " +
                "(it reads and writes reader version 1 or 3 and writer version 2 or 7, with the table features timestampNtz, appendOnly and invariants).");
        }
    }
}
