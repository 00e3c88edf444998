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
    public void Apply(DeltaProtocol protocol) => _protocol = protocol;

    /// <summary>Applies a metadata action.</summary>
    public void Apply(DeltaMetadata metadata) => _metadata = metadata;

    /// <summary>Applies an add action.</summary>
    public void Apply(AddFile add)
    {
        _files[add.Path] = add;
        _tombstones.Remove(add.Path);
    }

    /// <summary>Applies a remove action.</summary>
    public void Apply(RemoveFile remove)
    {
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

    /// <summary>The snapshot at <paramref name="version"/>.</summary>
    /// <exception cref="InvalidDataException">No protocol or no metadata was replayed.</exception>
    /// <exception cref="NotSupportedException">The protocol needs a feature Tributary does not implement.</exception>
    public DeltaSnapshot Build(long version, string tablePath)
    {
        var protocol = _protocol ?? throw new InvalidDataException(
            $"The Delta log of '{tablePath}' up to version {version} has no protocol action.");
        var metadata = _metadata ?? throw new InvalidDataException(
            $"The Delta log of '{tablePath}' up to version {version} has no metaData action.");
        DeltaFeatures.EnsureSupported(protocol, tablePath);
        return new DeltaSnapshot(
            version,
            protocol,
            metadata,
            new Dictionary<string, AddFile>(_files, StringComparer.Ordinal),
            new Dictionary<string, RemoveFile>(_tombstones, StringComparer.Ordinal));
    }
}
