namespace Tributary.Testing;

/// <summary>
/// The protocol action's consistency (PROTOCOL.md "Protocol Evolution", "Table Features"), and whether the protocol in effect
/// supports what the metadata uses (timestamp_ntz columns, column mapping).
/// </summary>
internal static class DeltaProtocolRules
{
    /// <summary>Checks one protocol action on its own.</summary>
    public static void CheckProtocol(DeltaProtocol protocol, string where, List<string> violations)
    {
        var (reader, writer) = (protocol.MinReaderVersion, protocol.MinWriterVersion);
        if (reader is < 1 or > 3)
        {
            violations.Add($"{where}: minReaderVersion {reader} is not a reader version of the protocol (1 to 3).");
        }

        if (writer is < 1 or > 7)
        {
            violations.Add($"{where}: minWriterVersion {writer} is not a writer version of the protocol (1 to 7).");
        }

        if (reader == 3 && protocol.ReaderFeatures is null)
        {
            violations.Add($"{where}: minReaderVersion 3 requires readerFeatures.");
        }

        if (reader != 3 && protocol.ReaderFeatures is not null)
        {
            violations.Add($"{where}: readerFeatures exist only when minReaderVersion is 3, not {reader}.");
        }

        if (writer == 7 && protocol.WriterFeatures is null)
        {
            violations.Add($"{where}: minWriterVersion 7 requires writerFeatures.");
        }

        if (writer != 7 && protocol.WriterFeatures is not null)
        {
            violations.Add($"{where}: writerFeatures exist only when minWriterVersion is 7, not {writer}.");
        }

        if (reader == 3 && writer != 7)
        {
            violations.Add($"{where}: minReaderVersion 3 requires minWriterVersion 7, not {writer}.");
        }

        foreach (var (name, list) in new[] { ("readerFeatures", protocol.ReaderFeatures), ("writerFeatures", protocol.WriterFeatures) })
        {
            foreach (var twice in (list ?? []).GroupBy(f => f, StringComparer.Ordinal).Where(g => g.Count() > 1))
            {
                violations.Add($"{where}: {name} lists '{twice.Key}' twice.");
            }
        }

        foreach (var readerOnly in (protocol.ReaderFeatures ?? []).Except(protocol.WriterFeatures ?? [], StringComparer.Ordinal))
        {
            violations.Add($"{where}: the reader feature '{readerOnly}' is not also in writerFeatures.");
        }
    }

    /// <summary>Checks that <paramref name="protocol"/> supports what <paramref name="metadata"/> uses.</summary>
    /// <param name="protocol">The protocol in effect.</param>
    /// <param name="metadata">The metadata in effect.</param>
    /// <param name="where">Names the version in messages.</param>
    /// <param name="lowest">Also require the lowest versions the features need (Tributary's convention: (1,2), or (3,7) with timestampNtz alone).</param>
    /// <param name="violations">Receives the messages.</param>
    public static void CheckSupport(DeltaProtocol protocol, DeltaMetadata metadata, string where, bool lowest, List<string> violations)
    {
        var ntz = metadata.Fields.Where(f => DeltaSchema.Contains(f.Type, "timestamp_ntz")).Select(f => f.Name).ToList();
        if (ntz.Count > 0 && !(protocol.MinReaderVersion == 3 && protocol.MinWriterVersion == 7 &&
            (protocol.ReaderFeatures ?? []).Contains("timestampNtz") && (protocol.WriterFeatures ?? []).Contains("timestampNtz")))
        {
            violations.Add($"{where}: the timestamp_ntz column(s) {string.Join(", ", ntz)} need protocol (3,7) with the timestampNtz reader and writer feature; " +
                $"the protocol is {Show(protocol)}.");
        }

        if (metadata.Configuration.TryGetValue("delta.columnMapping.mode", out var mode) && mode is "name" or "id" &&
            !(protocol.MinReaderVersion == 2 && protocol.MinWriterVersion >= 5 ||
              (protocol.ReaderFeatures ?? []).Contains("columnMapping") && (protocol.WriterFeatures ?? []).Contains("columnMapping")))
        {
            violations.Add($"{where}: column mapping mode '{mode}' needs reader version 2 and writer version 5, or the columnMapping feature; the protocol is {Show(protocol)}.");
        }

        if (!lowest)
        {
            return;
        }

        var expected = ntz.Count > 0 ? "(3,7) readerFeatures [timestampNtz] writerFeatures [timestampNtz]" : "(1,2)";
        if (Show(protocol) != expected)
        {
            violations.Add($"{where}: the protocol is {Show(protocol)}, not the lowest the table's features need, {expected}.");
        }
    }

    /// <summary>A protocol as text: <c>(1,2)</c>, or with its feature lists.</summary>
    public static string Show(DeltaProtocol protocol) =>
        $"({protocol.MinReaderVersion},{protocol.MinWriterVersion})" +
        (protocol.ReaderFeatures is { } r ? $" readerFeatures [{string.Join(", ", r)}]" : "") +
        (protocol.WriterFeatures is { } w ? $" writerFeatures [{string.Join(", ", w)}]" : "");
}
