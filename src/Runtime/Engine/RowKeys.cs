namespace Tributary.Runtime;

/// <summary>Primary-key values as dictionary keys: one value as itself, several as a <see cref="Composite"/>; bytes by content.</summary>
internal static class RowKeys
{
    /// <summary>Compares key values; byte arrays by their content.</summary>
    public static IEqualityComparer<object> Comparer { get; } = new ValueComparer();

    /// <summary>The key of a row with a key of several columns.</summary>
    public sealed record Composite(object[] Parts)
    {
        public bool Equals(Composite? other) =>
            other is not null && Parts.Length == other.Parts.Length && Parts.Zip(other.Parts).All(p => Comparer.Equals(p.First, p.Second));

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (var part in Parts)
            {
                hash.Add(Comparer.GetHashCode(part));
            }

            return hash.ToHashCode();
        }
    }

    private sealed class ValueComparer : IEqualityComparer<object>
    {
        public new bool Equals(object? x, object? y) => x is byte[] a && y is byte[] b ? a.AsSpan().SequenceEqual(b) : object.Equals(x, y);

        public int GetHashCode(object obj)
        {
            if (obj is byte[] bytes)
            {
                var hash = new HashCode();
                hash.AddBytes(bytes);
                return hash.ToHashCode();
            }

            return obj.GetHashCode();
        }
    }
}
