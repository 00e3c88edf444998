using Tributary.Destinations.Delta.Storage;

namespace Tributary.Destinations.Delta.Log;

/// <summary>What a vacuum deleted.</summary>
/// <param name="Deleted">The data files deleted (paths relative to the lake root), with their sizes and ages.</param>
internal sealed record VacuumResult(IReadOnlyList<LakeFile> Deleted)
{
    /// <summary>The bytes the deleted files held.</summary>
    public long DeletedBytes => Deleted.Sum(file => file.Size);
}
