using System.Text.Json;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;

namespace Tributary.Testing;

/// <summary>
/// Checks checkpoints (PROTOCOL.md "Checkpoints", "Last Checkpoint File Schema"): each holds one protocol and one metaData,
/// its actions have their required fields, none is commit provenance or change data, and its replay equals the JSON commits'
/// replay at its version; <c>_last_checkpoint</c> names a complete checkpoint with the recorded number of parts and actions.
/// </summary>
internal static class DeltaCheckpointRules
{
    /// <summary>Checks every checkpoint of <paramref name="listing"/> and its <c>_last_checkpoint</c>.</summary>
    public static async Task CheckAsync(DeltaLogListing listing, List<string> violations, CancellationToken cancellationToken)
    {
        var actionCounts = new Dictionary<long, int>();
        foreach (var (version, files) in listing.Checkpoints)
        {
            var name = $"The checkpoint of version {version}";
            if (listing.Commits.Count > 0 && version > listing.Commits.Keys.Max())
            {
                violations.Add($"{name} is newer than the last commit ({listing.Commits.Keys.Max()}); a checkpoint follows its commit.");
            }

            IReadOnlyList<(JsonElement Action, string Where)> actions;
            DeltaSnapshot fromCheckpoint;
            try
            {
                actions = await DeltaLogReader.ReadCheckpointAsync(listing, files, cancellationToken);
                fromCheckpoint = await DeltaLogReader.ReadCheckpointAsync(listing.TableFolder, version, cancellationToken);
            }
            catch (Exception ex) when (ex is InvalidDataException or DuckDBException)
            {
                violations.Add($"{name} cannot be read: {ex.Message}");
                continue;
            }

            actionCounts[version] = actions.Count;
            CheckActions(name, actions, violations);
            if (Enumerable.Range(0, (int)Math.Min(version + 1, int.MaxValue)).All(v => listing.Commits.ContainsKey(v)))
            {
                try
                {
                    var fromJson = await DeltaLogReader.ReadAsync(listing.TableFolder, version, useCheckpoints: false, cancellationToken);
                    Compare(name, fromCheckpoint, fromJson, violations);
                }
                catch (InvalidDataException)
                {
                    // The commits' own violations are reported elsewhere.
                }
            }
        }

        await CheckLastCheckpointAsync(listing, actionCounts, violations, cancellationToken);
    }

    private static void CheckActions(string name, IReadOnlyList<(JsonElement Action, string Where)> actions, List<string> violations)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (action, where) in actions)
        {
            foreach (var property in action.EnumerateObject().Where(p => p.Value.ValueKind != JsonValueKind.Null))
            {
                counts[property.Name] = counts.GetValueOrDefault(property.Name) + 1;
                if (property.Name is "commitInfo" or "cdc")
                {
                    violations.Add($"{where}: a checkpoint must not hold {property.Name} actions.");
                }
                else if (property.Name is "add" or "remove" or "metaData" or "protocol" or "txn" or "domainMetadata")
                {
                    DeltaActionRules.Check(property.Name, property.Value, where, violations);
                }
            }
        }

        foreach (var single in new[] { "protocol", "metaData" }.Where(a => counts.GetValueOrDefault(a) != 1))
        {
            violations.Add($"{name} holds {counts.GetValueOrDefault(single)} {single} actions; it must hold exactly one.");
        }
    }

    private static void Compare(string name, DeltaSnapshot checkpoint, DeltaSnapshot json, List<string> violations)
    {
        if (DeltaProtocolRules.Show(checkpoint.Protocol) != DeltaProtocolRules.Show(json.Protocol))
        {
            violations.Add($"{name} has the protocol {DeltaProtocolRules.Show(checkpoint.Protocol)}; the commits replay to {DeltaProtocolRules.Show(json.Protocol)}.");
        }

        var (c, j) = (checkpoint.Metadata, json.Metadata);
        if (c.Id != j.Id || c.SchemaString != j.SchemaString || c.FormatProvider != j.FormatProvider || !c.PartitionColumns.SequenceEqual(j.PartitionColumns) ||
            c.Configuration.Count != j.Configuration.Count || c.Configuration.Any(e => !j.Configuration.TryGetValue(e.Key, out var v) || v != e.Value))
        {
            violations.Add($"{name} has other metadata than the commits replay to (id, schema, format, partition columns or configuration differ).");
        }

        var inCheckpoint = checkpoint.Files.ToDictionary(f => (f.FullPath, f.DeletionVectorId));
        var inJson = json.Files.ToDictionary(f => (f.FullPath, f.DeletionVectorId));
        foreach (var missing in inJson.Keys.Except(inCheckpoint.Keys))
        {
            violations.Add($"{name} lacks the active file {inJson[missing].Path}.");
        }

        foreach (var extra in inCheckpoint.Keys.Except(inJson.Keys))
        {
            violations.Add($"{name} lists {inCheckpoint[extra].Path} as active; the commits do not.");
        }

        foreach (var key in inJson.Keys.Intersect(inCheckpoint.Keys))
        {
            var (a, b) = (inCheckpoint[key], inJson[key]);
            if (a.Size != b.Size || !SameStats(a.StatsJson, b.StatsJson) ||
                a.PartitionValues.Count != b.PartitionValues.Count || a.PartitionValues.Any(e => !b.PartitionValues.TryGetValue(e.Key, out var v) || v != e.Value))
            {
                violations.Add($"{name} records {a.Path} with another size, stats or partition values than its add action.");
            }
        }

        var tombstones = json.Tombstones.Select(t => t.FullPath).ToHashSet(StringComparer.Ordinal);
        foreach (var stray in checkpoint.Tombstones.Where(t => !tombstones.Contains(t.FullPath)))
        {
            violations.Add($"{name} holds a remove of {stray.Path}, which the commits do not.");
        }
    }

    private static bool SameStats(string? a, string? b) =>
        a == b || (a is not null && b is not null && JsonNode.DeepEquals(JsonNode.Parse(a), JsonNode.Parse(b)));

    private static async Task CheckLastCheckpointAsync(
        DeltaLogListing listing, Dictionary<long, int> actionCounts, List<string> violations, CancellationToken cancellationToken)
    {
        if (listing.LastCheckpoint is not { } file)
        {
            return;
        }

        const string Name = DeltaLogListing.LogFolderName + "/" + DeltaLogListing.LastCheckpointName;
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(file, cancellationToken));
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            violations.Add($"{Name} is not JSON: {ex.Message}");
            return;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            violations.Add($"{Name} is a JSON {root.ValueKind}, not an object.");
            return;
        }

        DeltaActionRules.CheckDuplicateKeys(root, Name, violations);
        long? Long(string key, bool required)
        {
            if (DeltaReplay.Optional(root, key) is not { } value)
            {
                if (required)
                {
                    violations.Add($"{Name} lacks the required field '{key}'.");
                }

                return null;
            }

            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
            {
                return number;
            }

            violations.Add($"{Name}: '{key}' is {value.GetRawText()}, not an integer.");
            return null;
        }

        var (version, size, parts) = (Long("version", true), Long("size", true), Long("parts", false));
        if (version is not { } v)
        {
            return;
        }

        if (!listing.Checkpoints.TryGetValue(v, out var files))
        {
            violations.Add($"{Name} names version {v}, which has no complete checkpoint.");
            return;
        }

        if ((parts ?? 1) != files.Count)
        {
            violations.Add($"{Name} says the checkpoint of version {v} has {(parts is null ? "one file (no parts)" : $"{parts} parts")}; it has {files.Count}.");
        }

        if (size is { } actions && actionCounts.TryGetValue(v, out var counted) && actions != counted)
        {
            violations.Add($"{Name} says the checkpoint of version {v} holds {actions} actions; it holds {counted}.");
        }
    }
}
