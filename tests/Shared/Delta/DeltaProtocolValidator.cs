using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;

namespace Tributary.Testing;

/// <summary>What a validation checks beyond PROTOCOL.md.</summary>
public sealed record DeltaValidationOptions
{
    /// <summary>PROTOCOL.md alone.</summary>
    public static DeltaValidationOptions Protocol { get; } = new();

    /// <summary>PROTOCOL.md and Tributary's conventions.</summary>
    public static DeltaValidationOptions Tributary { get; } = new() { TributaryConventions = true };

    /// <summary>
    /// Also require Tributary's conventions: the lowest protocol the features need ((1,2), or (3,7) with timestampNtz alone),
    /// and stats on every add with numRecords, nullCount and min/max values for every non-binary column.
    /// </summary>
    public bool TributaryConventions { get; init; }
}

/// <summary>
/// Checks a Delta table's log against PROTOCOL.md and returns every violation as a readable message (none: valid). Each
/// commit is newline-delimited JSON of one action a line with one key; the actions have their required fields; version 0
/// holds protocol and metaData; the protocol is consistent and supports the schema; the schema string is one Spark's parser
/// accepts; partition columns exist; stats parse and match their file; active files exist with their recorded size; every
/// checkpoint replays to what the JSON commits do, and <c>_last_checkpoint</c> names one that exists. Shares no code with
/// the writer.
/// </summary>
public static class DeltaProtocolValidator
{
    /// <summary>The violations of the table in <paramref name="tableFolder"/> against PROTOCOL.md.</summary>
    public static Task<IReadOnlyList<string>> ValidateTableAsync(string tableFolder, CancellationToken cancellationToken) =>
        ValidateTableAsync(tableFolder, DeltaValidationOptions.Protocol, cancellationToken);

    /// <summary>The violations of every table of a lake (<c>&lt;lake&gt;/&lt;schema&gt;/&lt;table&gt;</c>), each prefixed by <c>schema/table: </c>.</summary>
    public static async Task<IReadOnlyList<string>> ValidateLakeAsync(string lakeFolder, DeltaValidationOptions options, CancellationToken cancellationToken)
    {
        var violations = new List<string>();
        if (!Directory.Exists(lakeFolder))
        {
            return violations;
        }

        foreach (var schema in Directory.EnumerateDirectories(lakeFolder).Order(StringComparer.Ordinal))
        {
            foreach (var table in Directory.EnumerateDirectories(schema).Where(DeltaLogListing.IsTable).Order(StringComparer.Ordinal))
            {
                var name = $"{Path.GetFileName(schema)}/{Path.GetFileName(table)}";
                violations.AddRange((await ValidateTableAsync(table, options, cancellationToken)).Select(v => $"{name}: {v}"));
            }
        }

        return violations;
    }

    /// <summary>The violations of the table in <paramref name="tableFolder"/>.</summary>
    public static async Task<IReadOnlyList<string>> ValidateTableAsync(string tableFolder, DeltaValidationOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var violations = new List<string>();
        DeltaLogListing listing;
        try
        {
            listing = DeltaLogListing.Scan(tableFolder);
        }
        catch (InvalidDataException ex)
        {
            return [ex.Message];
        }

        CheckVersions(listing, violations);
        await using var connection = await DuckDbSql.OpenInMemoryAsync(cancellationToken);
        var state = new DeltaReplay(tableFolder);
        foreach (var (version, file) in listing.Commits)
        {
            await CheckCommitAsync(connection, listing, version, file, state, options, violations, cancellationToken);
        }

        try
        {
            var snapshot = await DeltaLogReader.ReadAsync(tableFolder, cancellationToken);
            foreach (var missing in snapshot.Files.Where(f => !File.Exists(f.FullPath)))
            {
                violations.Add($"The active file {missing.Path} (added in version {missing.Version}) does not exist.");
            }
        }
        catch (InvalidDataException ex)
        {
            violations.Add($"The log cannot be replayed: {ex.Message}");
        }

        await DeltaCheckpointRules.CheckAsync(listing, violations, cancellationToken);
        return violations.Distinct(StringComparer.Ordinal).ToList();
    }

    private static void CheckVersions(DeltaLogListing listing, List<string> violations)
    {
        if (listing.Commits.Count == 0 && listing.Checkpoints.Count == 0)
        {
            violations.Add($"{DeltaLogListing.LogFolderName} holds no commit.");
            return;
        }

        var versions = listing.Commits.Keys.ToList();
        for (var i = 1; i < versions.Count; i++)
        {
            if (versions[i] != versions[i - 1] + 1)
            {
                violations.Add($"The versions jump from {versions[i - 1]} to {versions[i]}: {DeltaLogListing.CommitName(versions[i - 1] + 1)} is missing.");
            }
        }

        if (versions.Count > 0 && versions[0] > 0 && !listing.Checkpoints.Keys.Any(c => c >= versions[0] - 1))
        {
            violations.Add($"The first commit is version {versions[0]}, and no checkpoint replaces versions 0 to {versions[0] - 1}.");
        }
    }

    private static async Task CheckCommitAsync(
        DuckDBConnection connection, DeltaLogListing listing, long version, string file, DeltaReplay state, DeltaValidationOptions options,
        List<string> violations, CancellationToken cancellationToken)
    {
        var name = $"{DeltaLogListing.LogFolderName}/{Path.GetFileName(file)}";
        var actions = await ReadActionsAsync(file, name, violations, cancellationToken);
        var counts = actions.GroupBy(a => a.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        foreach (var once in new[] { "metaData", "protocol", "commitInfo" }.Where(a => counts.GetValueOrDefault(a) > 1))
        {
            violations.Add($"{name}: version {version} holds {counts[once]} {once} actions; at most one is allowed.");
        }

        foreach (var kind in new[] { "add", "remove" })
        {
            foreach (var twice in actions.Where(a => a.Key == kind && DeltaReplay.Optional(a.Body, "path") is { ValueKind: JsonValueKind.String })
                .GroupBy(a => Uri.UnescapeDataString(a.Body.GetProperty("path").GetString()!), StringComparer.Ordinal).Where(g => g.Count() > 1))
            {
                violations.Add($"{name}: version {version} holds {twice.Count()} {kind} actions for the path {twice.Key}; at most one is allowed.");
            }
        }

        var added = FilePaths(actions, "add");
        foreach (var both in FilePaths(actions, "remove").Intersect(added, StringComparer.Ordinal))
        {
            violations.Add($"{name}: version {version} both adds and removes {both}; one commit must not hold actions that reconcile with each other.");
        }

        if (version == 0 && (counts.GetValueOrDefault("protocol") == 0 || counts.GetValueOrDefault("metaData") == 0))
        {
            violations.Add($"{name}: version 0 must hold a protocol and a metaData action; it lacks {(counts.GetValueOrDefault("protocol") == 0 ? "protocol" : "metaData")}.");
        }

        var changed = false;
        foreach (var (line, key, body, whole) in actions.Where(a => a.Key is "protocol" or "metaData"))
        {
            var at = $"{name} line {line}";
            if (key == "metaData" && DeltaReplay.Optional(body, "schemaString") is { ValueKind: JsonValueKind.String } schemaString)
            {
                DeltaSchemaRules.Check(schemaString.GetString()!, at, violations);
            }

            try
            {
                state.Apply(whole, version, at);
                changed = true;
            }
            catch (InvalidDataException)
            {
                continue; // the field rules already said what is wrong.
            }

            if (key == "protocol")
            {
                DeltaProtocolRules.CheckProtocol(state.Protocol!, at, violations);
            }
            else
            {
                CheckPartitionColumns(state.Metadata!, at, violations);
            }
        }

        if (changed && state.Protocol is { } protocol && state.Metadata is { } metadata)
        {
            DeltaProtocolRules.CheckSupport(protocol, metadata, $"{name} (version {version})", options.TributaryConventions, violations);
        }

        foreach (var (line, _, body, _) in actions.Where(a => a.Key == "add"))
        {
            await CheckAddAsync(connection, listing, body, $"{name} line {line}", state.Metadata, options, violations, cancellationToken);
        }
    }

    /// <summary>The decoded paths (with the deletion vector, if any) of a commit's file actions of one kind.</summary>
    private static HashSet<string> FilePaths(List<(int Line, string Key, JsonElement Body, JsonElement Whole)> actions, string kind) =>
        actions.Where(a => a.Key == kind && DeltaReplay.Optional(a.Body, "path") is { ValueKind: JsonValueKind.String })
            .Select(a => Uri.UnescapeDataString(a.Body.GetProperty("path").GetString()!) +
                (DeltaReplay.Optional(a.Body, "deletionVector") is { } dv ? " (deletion vector " + dv.GetRawText() + ")" : ""))
            .ToHashSet(StringComparer.Ordinal);

    private static async Task<List<(int Line, string Key, JsonElement Body, JsonElement Whole)>> ReadActionsAsync(
        string file, string name, List<string> violations, CancellationToken cancellationToken)
    {
        var actions = new List<(int, string, JsonElement, JsonElement)>();
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(await File.ReadAllBytesAsync(file, cancellationToken));
        }
        catch (DecoderFallbackException ex)
        {
            violations.Add($"{name} is not UTF-8: {ex.Message}");
            return actions;
        }

        var lines = text.Split('\n');
        var count = lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        if (count == 0)
        {
            violations.Add($"{name} is empty: a commit holds at least one action.");
        }

        for (var i = 0; i < count; i++)
        {
            var at = $"{name} line {i + 1}";
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                violations.Add($"{at} is empty: every line of a commit is one action.");
                continue;
            }

            JsonElement root;
            try
            {
                using var document = JsonDocument.Parse(lines[i]);
                root = document.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                violations.Add($"{at} is not JSON: {ex.Message}");
                continue;
            }

            var keys = root.ValueKind == JsonValueKind.Object ? root.EnumerateObject().Select(p => p.Name).ToList() : [];
            if (root.ValueKind != JsonValueKind.Object || keys.Count != 1)
            {
                violations.Add($"{at}: an action is a JSON object with exactly one key (the action's name); this line has {(root.ValueKind == JsonValueKind.Object ? $"{keys.Count}: {string.Join(", ", keys)}" : $"a JSON {root.ValueKind}")}.");
                continue;
            }

            var key = keys[0];
            if (!DeltaActionRules.CommitActions.Contains(key))
            {
                violations.Add($"{at}: '{key}' is not an action a commit may hold ({string.Join(", ", DeltaActionRules.CommitActions)}).");
                continue;
            }

            var body = root.GetProperty(key);
            DeltaActionRules.Check(key, body, at, violations);
            actions.Add((i + 1, key, body, root));
        }

        return actions;
    }

    private static void CheckPartitionColumns(DeltaMetadata metadata, string where, List<string> violations)
    {
        foreach (var column in metadata.PartitionColumns)
        {
            var field = metadata.Fields.FirstOrDefault(f => string.Equals(f.Name, column, StringComparison.OrdinalIgnoreCase));
            if (field is null)
            {
                violations.Add($"{where}: the partition column '{column}' is not a column of the schema.");
            }
            else if (field.Type.StartsWith('{'))
            {
                violations.Add($"{where}: the partition column '{column}' has a nested type; partition values are primitive.");
            }
        }
    }

    private static async Task CheckAddAsync(
        DuckDBConnection connection, DeltaLogListing listing, JsonElement add, string where, DeltaMetadata? metadata, DeltaValidationOptions options,
        List<string> violations, CancellationToken cancellationToken)
    {
        if (DeltaReplay.Optional(add, "path") is not { ValueKind: JsonValueKind.String } path)
        {
            return;
        }

        string full;
        try
        {
            full = DeltaReplay.Resolve(listing.TableFolder, path.GetString()!, where);
        }
        catch (InvalidDataException ex)
        {
            violations.Add(ex.Message);
            return;
        }

        var mapped = metadata is not null && metadata.Configuration.TryGetValue("delta.columnMapping.mode", out var mode) && mode is "name" or "id";
        string Physical(DeltaField field) =>
            mapped && field.Metadata.TryGetValue("delta.columnMapping.physicalName", out var physical) ? physical.GetString()! : field.Name;
        if (metadata is not null && DeltaReplay.Optional(add, "partitionValues") is { ValueKind: JsonValueKind.Object } values)
        {
            // Under column mapping, partition values are keyed by physical names.
            var expected = metadata.PartitionColumns
                .Select(p => metadata.Fields.FirstOrDefault(f => string.Equals(f.Name, p, StringComparison.OrdinalIgnoreCase)) is { } f ? Physical(f) : p)
                .Order(StringComparer.Ordinal).ToList();
            var keys = values.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
            if (!keys.SequenceEqual(expected, StringComparer.OrdinalIgnoreCase))
            {
                violations.Add($"{where}: partitionValues has the keys [{string.Join(", ", keys)}], not the partition columns [{string.Join(", ", expected)}].");
            }
        }

        if (!File.Exists(full))
        {
            return; // removed later and vacuumed, or missing: the replay says which.
        }

        if (DeltaReplay.Optional(add, "size") is { ValueKind: JsonValueKind.Number } size && size.TryGetInt64(out var bytes) && bytes != new FileInfo(full).Length)
        {
            violations.Add($"{where}: add.size is {bytes}, but {path.GetString()} has {new FileInfo(full).Length} bytes.");
        }

        var dataFields = metadata?.Fields.Where(f => !metadata.PartitionColumns.Contains(f.Name, StringComparer.OrdinalIgnoreCase)).ToList() ?? [];
        try
        {
            await DeltaFileTypeRules.CheckAsync(connection, full, dataFields, Physical, where, violations, cancellationToken);
        }
        catch (DuckDBException ex)
        {
            violations.Add($"{where}: {path.GetString()} is not a readable Parquet file: {ex.Message}");
            return;
        }

        var stats = DeltaReplay.Optional(add, "stats") is { ValueKind: JsonValueKind.String } s ? s.GetString() : null;
        if (stats is null)
        {
            if (options.TributaryConventions)
            {
                violations.Add($"{where}: the add of {path.GetString()} has no stats.");
            }

            return;
        }

        if (metadata is null)
        {
            return;
        }

        try
        {
            await DeltaStatsRules.CheckAsync(connection, full, stats, dataFields, Physical, where, options.TributaryConventions, violations, cancellationToken);
        }
        catch (DuckDBException ex)
        {
            violations.Add($"{where}: the data of {path.GetString()} cannot be read to check its stats: {ex.Message}");
        }
    }
}
