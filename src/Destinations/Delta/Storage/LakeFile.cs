namespace Tributary.Destinations.Delta.Storage;

/// <summary>A file of a lake, as a listing gives it.</summary>
/// <param name="Path">'/'-separated, relative to the lake root.</param>
/// <param name="Size">Bytes.</param>
/// <param name="LastModified">When the file was last written.</param>
internal sealed record LakeFile(string Path, long Size, DateTimeOffset LastModified);
