namespace Tributary.Destinations.Delta.Log;

/// <summary>
/// Replays actions into a table state by the protocol's reconciliation rules: the latest protocol and metadata win; an
/// add makes its path active and cancels its tombstone; a remove drops its path and leaves a tombstone.
/// </summary>
internal sealed class DeltaStateBuilder
{
    private readonly Dictionary<string, AddFile> _files;
    private readonly Dictionary<string, RemoveFile> _tombstones;
    private DeltaProtocol? _protocol;
    private DeltaMetadata? _metadata;
    private bool _built;

    /// <summary>An empty state, before version 0.</summary>
    public DeltaStateBuilder()
    {
        _files = new Dictionary<string, AddFile>(StringComparer.Ordinal);
        _tombstones = new Dictionary<string, RemoveFile>(StringComparer.Ordinal);
    }

    /// <summary>A state that continues <paramref name="snapshot"/>.</summary>
    public DeltaStateBuilder(DeltaSnapshot snapshot)
    {
        _files = new Dictionary<string, AddFile>(snapshot.Files, StringComparer.Ordinal);
        _tombstones = new Dictionary<string, RemoveFile>(snapshot.Tombstones, StringComparer.Ordinal);
        _protocol = snapshot.Protocol;
        _metadata = snapshot.Metadata;
    }

    /// <summary>Applies a protocol action.</summary>
    public void Apply(DeltaProtocol protocol)
    {
        EnsureNotBuilt();
        _protocol = protocol;
    }

    /// <summary>Applies a metadata action.</summary>
    public void Apply(DeltaMetadata metadata)
    {
        EnsureNotBuilt();
        _metadata = metadata;
    }

    /// <summary>Applies an add action.</summary>
    public void Apply(AddFile add)
    {
        EnsureNotBuilt();
        _files[add.Path] = add;
        _tombstones.Remove(add.Path);
    }

    /// <summary>Applies a remove action.</summary>
    public void Apply(RemoveFile remove)
    {
        EnsureNotBuilt();
        _files.Remove(remove.Path);
        _tombstones[remove.Path] = remove;
    }

    /// <summary>Applies the actions of a commit.</summary>
    public void Apply(DeltaCommit commit)
    {
        if (commit.Protocol is { } protocol)
        {
            Apply(protocol);
        }

        if (commit.Metadata is { } metadata)
        {
            Apply(metadata);
        }

        foreach (var remove in commit.Removes)
        {
            Apply(remove);
        }

        foreach (var add in commit.Adds)
        {
            Apply(add);
        }
    }

    /// <summary>
    /// The snapshot at <paramref name="version"/>, whose commit file's content hashes to <paramref name="commitTag"/> (null when
    /// unknown). The builder hands its collections over and cannot be used again.
    /// </summary>
    /// <exception cref="InvalidDataException">No protocol or no metadata was replayed.</exception>
    /// <exception cref="NotSupportedException">The protocol needs a feature Tributary does not implement.</exception>
    public DeltaSnapshot Build(long version, string tablePath, string? commitTag = null)
    {
        var protocol = _protocol ?? throw new InvalidDataException(
            $"The Delta log of '{tablePath}' up to version {version} has no protocol action.");
        var metadata = _metadata ?? throw new InvalidDataException(
            $"The Delta log of '{tablePath}' up to version {version} has no metaData action.");
        DeltaFeatures.EnsureSupported(protocol, tablePath);
        EnsureNotBuilt();
        _built = true;
        return new DeltaSnapshot(version, protocol, metadata, _files, _tombstones, commitTag);
    }

    private void EnsureNotBuilt()
    {
        if (_built)
        {
            throw new InvalidOperationException("This replayed state was built into a snapshot already; start a new one from that snapshot.");
        }
    }
}
