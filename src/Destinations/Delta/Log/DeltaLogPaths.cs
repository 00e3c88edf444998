using System.Globalization;

namespace Tributary.Destinations.Delta.Log;

/// <summary>The names of a table's log files: <c>&lt;table&gt;/_delta_log/&lt;20-digit version&gt;.json</c> and its checkpoints.</summary>
internal sealed class DeltaLogPaths
{
    /// <summary>The paths of the table at <paramref name="tablePath"/> (relative to the lake root).</summary>
    public DeltaLogPaths(string tablePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tablePath);
        Table = tablePath.Trim('/');
        if (Table.Length == 0 || Table.Split('/').Any(segment => segment.Length == 0 || segment is "." or ".." || segment.StartsWith('_')))
        {
            throw new ArgumentException(
                $"The Delta table path '{tablePath}' must be a '/'-separated folder below the lake root (like 'schema/table'), no segment empty, '.', '..' or starting with '_'.",
                nameof(tablePath));
        }

        LogFolder = Table + "/_delta_log/";
    }

    /// <summary>The table folder, relative to the lake root, without a trailing '/'.</summary>
    public string Table { get; }

    /// <summary>The log folder, with its trailing '/'.</summary>
    public string LogFolder { get; }

    /// <summary><c>_delta_log/_last_checkpoint</c>.</summary>
    public string LastCheckpoint => LogFolder + "_last_checkpoint";

    /// <summary>The commit file of <paramref name="version"/>.</summary>
    public string Commit(long version) => LogFolder + Padded(version) + ".json";

    /// <summary>The classic checkpoint file of <paramref name="version"/>.</summary>
    public string Checkpoint(long version) => LogFolder + Padded(version) + ".checkpoint.parquet";

    /// <summary>The version of a commit file's name, or null for any other file.</summary>
    public long? CommitVersion(string path) => VersionOf(path, ".json");

    /// <summary>The version of a classic checkpoint's name, or null for any other file.</summary>
    public long? CheckpointVersion(string path) => VersionOf(path, ".checkpoint.parquet");

    /// <summary>The lake path of a data file named by an <c>add</c> path (URL-encoded, relative to the table root).</summary>
    public string DataFile(string addPath) => Table + "/" + Uri.UnescapeDataString(addPath);

    private long? VersionOf(string path, string suffix)
    {
        if (!path.StartsWith(LogFolder, StringComparison.Ordinal) || !path.EndsWith(suffix, StringComparison.Ordinal))
        {
            return null;
        }

        var digits = path.AsSpan(LogFolder.Length, path.Length - LogFolder.Length - suffix.Length);
        return digits.Length == 20 && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : null;
    }

    private static string Padded(long version) => version.ToString("D20", CultureInfo.InvariantCulture);
}
