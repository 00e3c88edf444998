namespace Tributary.Destinations.Delta.Storage;

/// <summary>Checks the lake-relative paths the storages are given.</summary>
internal static class LakePaths
{
    /// <summary>Throws unless <paramref name="path"/> names a file below the lake root.</summary>
    public static void ValidateFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ValidateSegments(path, path.Split('/'), nameof(path));
    }

    /// <summary>The folder <paramref name="prefix"/> with one trailing '/', or "" for the lake root.</summary>
    public static string Folder(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var trimmed = prefix.Trim('/');
        if (trimmed.Length == 0)
        {
            return "";
        }

        ValidateSegments(prefix, trimmed.Split('/'), nameof(prefix));
        return trimmed + "/";
    }

    private static void ValidateSegments(string path, string[] segments, string parameter)
    {
        foreach (var segment in segments)
        {
            if (segment.Length == 0 || segment is "." or ".." || segment.Contains('\\', StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"The lake path '{path}' is not a '/'-separated path below the lake root: no empty, '.' or '..' segment, no '\\'.",
                    parameter);
            }
        }

        if (path.StartsWith('/'))
        {
            throw new ArgumentException($"The lake path '{path}' must be relative to the lake root, without a leading '/'.", parameter);
        }
    }
}
