namespace Tributary.Sdk.Testing.Tests;

/// <summary>One row of the fake source.</summary>
public sealed record Item(int Id, string Name, DateTimeOffset UpdatedAt);

/// <summary>
/// A source that never changes: 25 items, three at a time sharing an <c>updated_at</c> (as rows written by one transaction
/// do), read in pages of four ordered by (updated_at, id), as an API with an updated-since filter and page tokens serves them.
/// </summary>
public static class ItemsSource
{
    public const int PageSize = 4;

    private static readonly DateTimeOffset Start = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static IReadOnlyList<Item> Items { get; } =
        [.. Enumerable.Range(1, 25).Select(id => new Item(id, $"item {id}", Start.AddMinutes((id - 1) / 3)))];

    /// <summary>The items changed since <paramref name="since"/> (at it too, when <paramref name="inclusive"/>), in pages.</summary>
    public static IEnumerable<IReadOnlyList<Item>> Changed(DateTimeOffset? since, bool inclusive) =>
        Items.Where(i => since is null || (inclusive ? i.UpdatedAt >= since : i.UpdatedAt > since)).Chunk(PageSize);

    /// <summary>Page <paramref name="number"/> (from 0) of every item.</summary>
    public static IReadOnlyList<Item> Page(int number) => [.. Items.Skip(number * PageSize).Take(PageSize)];
}
