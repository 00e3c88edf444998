using System.Globalization;
using System.Text.RegularExpressions;

namespace Tributary.Testing;

/// <summary>What a table's <c>_delta_log</c> folder holds: its JSON commits and its checkpoints, by version.</summary>
internal sealed partial class DeltaLogListing
{
    /// <summary>The log folder's name.</summary>
    public const string LogFolderName = "_delta_log";

    /// <summary>The name of the last-checkpoint pointer.</summary>
    public const string LastCheckpointName = "_last_checkpoint";

    private DeltaLogListing(string tableFolder, SortedDictionary<long, string> commits, SortedDictionary<long, IReadOnlyList<string>> checkpoints)
    {
        TableFolder = tableFolder;
        Commits = commits;
        Checkpoints = checkpoints;
    }

    /// <summary>The table's folder.</summary>
    public string TableFolder { get; }

    /// <summary>The log folder.</summary>
    public string LogFolder => Path.Combine(TableFolder, LogFolderName);

    /// <summary>The JSON commit files by version.</summary>
    public SortedDictionary<long, string> Commits { get; }

    /// <summary>The complete checkpoints by version: the classic file, or every part of a multi-part one.</summary>
    public SortedDictionary<long, IReadOnlyList<string>> Checkpoints { get; }

    /// <summary>The <c>_last_checkpoint</c> file's path, or <see langword="null"/> when there is none.</summary>
    public string? LastCheckpoint => File.Exists(Path.Combine(LogFolder, LastCheckpointName)) ? Path.Combine(LogFolder, LastCheckpointName) : null;

    /// <summary>The newest version the log holds (commit or checkpoint).</summary>
    public long? LatestVersion =>
        Commits.Count == 0 && Checkpoints.Count == 0 ? null : Math.Max(Commits.Count == 0 ? -1 : Commits.Keys.Max(), Checkpoints.Count == 0 ? -1 : Checkpoints.Keys.Max());

    /// <summary>Whether <paramref name="tableFolder"/> is a Delta table: its log holds version 0 or a checkpoint.</summary>
    public static bool IsTable(string tableFolder)
    {
        var log = Path.Combine(tableFolder, LogFolderName);
        return File.Exists(Path.Combine(log, CommitName(0))) ||
            (Directory.Exists(log) && Directory.EnumerateFiles(log, "*.checkpoint*.parquet").Any());
    }

    /// <summary>The file name of version <paramref name="version"/>'s commit.</summary>
    public static string CommitName(long version) => version.ToString("D20", CultureInfo.InvariantCulture) + ".json";

    /// <summary>Lists <paramref name="tableFolder"/>'s log.</summary>
    /// <exception cref="InvalidDataException">The folder has no <c>_delta_log</c>.</exception>
    public static DeltaLogListing Scan(string tableFolder)
    {
        var log = Path.Combine(tableFolder, LogFolderName);
        if (!Directory.Exists(log))
        {
            throw new InvalidDataException($"{tableFolder} is not a Delta table: it has no {LogFolderName} folder.");
        }

        var commits = new SortedDictionary<long, string>();
        var classic = new Dictionary<long, string>();
        var parts = new Dictionary<long, Dictionary<int, (int Of, string Path)>>();
        foreach (var file in Directory.EnumerateFiles(log))
        {
            var name = Path.GetFileName(file);
            if (CommitFile().Match(name) is { Success: true } commit)
            {
                commits[long.Parse(commit.Groups[1].Value, CultureInfo.InvariantCulture)] = file;
            }
            else if (ClassicCheckpoint().Match(name) is { Success: true } single)
            {
                classic[long.Parse(single.Groups[1].Value, CultureInfo.InvariantCulture)] = file;
            }
            else if (PartCheckpoint().Match(name) is { Success: true } part)
            {
                var version = long.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
                var index = int.Parse(part.Groups[2].Value, CultureInfo.InvariantCulture);
                var of = int.Parse(part.Groups[3].Value, CultureInfo.InvariantCulture);
                if (!parts.TryGetValue(version, out var byIndex))
                {
                    parts[version] = byIndex = [];
                }

                byIndex[index] = (of, file);
            }
        }

        var checkpoints = new SortedDictionary<long, IReadOnlyList<string>>();
        foreach (var (version, byIndex) in parts)
        {
            // A multi-part checkpoint with a missing part is ignored, as the protocol asks of readers.
            var of = byIndex.Values.First().Of;
            if (of > 0 && byIndex.Count == of && byIndex.All(p => p.Value.Of == of) && Enumerable.Range(1, of).All(byIndex.ContainsKey))
            {
                checkpoints[version] = [.. byIndex.OrderBy(p => p.Key).Select(p => p.Value.Path)];
            }
        }

        foreach (var (version, file) in classic)
        {
            checkpoints[version] = [file];
        }

        return new DeltaLogListing(tableFolder, commits, checkpoints);
    }

    [GeneratedRegex(@"^(\d{20})\.json$")]
    private static partial Regex CommitFile();

    [GeneratedRegex(@"^(\d{20})\.checkpoint\.parquet$")]
    private static partial Regex ClassicCheckpoint();

    [GeneratedRegex(@"^(\d{20})\.checkpoint\.(\d{10})\.(\d{10})\.parquet$")]
    private static partial Regex PartCheckpoint();
}
