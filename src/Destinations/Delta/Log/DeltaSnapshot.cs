namespace Tributary.Destinations.Delta.Log;

/// <summary>A Delta table at one version: its protocol, metadata, active files and unexpired tombstones. Immutable.</summary>
internal sealed class DeltaSnapshot
{
    internal DeltaSnapshot(
        long version,
        DeltaProtocol protocol,
        DeltaMetadata metadata,
        IReadOnlyDictionary<string, AddFile> files,
        IReadOnlyDictionary<string, RemoveFile> tombstones,
        string? commitTag = null)
    {
        CommitTag = commitTag;
        Version = version;
        Protocol = protocol;
        Metadata = metadata;
        Files = files;
        Tombstones = tombstones;
    }

    /// <summary>The table version this snapshot is.</summary>
    public long Version { get; }

    /// <summary>
    /// What the commit file of <see cref="Version"/> held (a hash of its content), or null when it was not read: a refresh
    /// compares it with the file the log has now, so a table dropped and created again, whose versions started over, is
    /// never taken for the one this snapshot is of.
    /// </summary>
    public string? CommitTag { get; }

    /// <summary>The latest <c>protocol</c>.</summary>
    public DeltaProtocol Protocol { get; }

    /// <summary>The latest <c>metaData</c>.</summary>
    public DeltaMetadata Metadata { get; }

    /// <summary>The active data files, by their <c>add</c> path.</summary>
    public IReadOnlyDictionary<string, AddFile> Files { get; }

    /// <summary>The files removed and not added again, by path: vacuum keeps them until the retention has passed.</summary>
    public IReadOnlyDictionary<string, RemoveFile> Tombstones { get; }
}
