using System.Globalization;
using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;
using Tributary.Sdk;

namespace Tributary.Destinations.DuckDb.Crash;

/// <summary>
/// One kind of schema change for the kill tests: an optional setup batch (written and checkpointed first, or written by
/// the same destination when the change ends its initial load), then the batch that makes the change, after whose commit
/// the process is killed. Column <c>v</c> of table <c>t</c> (key <c>id</c>) carries the values.
/// </summary>
public sealed class KillScenario
{
    /// <summary>The schema every scenario writes into.</summary>
    public const string Schema = "conn";

    /// <summary>The system columns every scenario's table has.</summary>
    public static readonly SystemColumns Sys = SystemColumns.Tributary;

    private static readonly DateTimeOffset T1 = new(2024, 9, 24, 14, 30, 45, TimeSpan.Zero);
    private static readonly DateTimeOffset T2 = new(2024, 9, 25, 8, 0, 0, TimeSpan.Zero);

    private static readonly Dictionary<string, KillScenario> All = Build().ToDictionary(s => s.Name, StringComparer.Ordinal);

    private KillScenario(string name, WriteBatch? setup, WriteBatch change, IReadOnlyList<object?[]> expected, bool setupStillLoading = false)
    {
        Name = name;
        Setup = setup;
        Change = change;
        Expected = expected;
        SetupStillLoading = setupStillLoading;
    }

    /// <summary>Names the scenario on the child's command line.</summary>
    public string Name { get; }

    /// <summary>Written, and the warehouse closed, before the change; none for a scenario that creates the table.</summary>
    public WriteBatch? Setup { get; }

    /// <summary>
    /// Whether <see cref="Setup"/> is written by the destination that then writes the change, without closing it: the
    /// table is still in its initial load, and the change builds its key.
    /// </summary>
    public bool SetupStillLoading { get; }

    /// <summary>The batch with the schema change, and a row written after it.</summary>
    public WriteBatch Change { get; }

    /// <summary>Every row of the table once the change is applied (its writable columns), each value in its column's final type.</summary>
    public IReadOnlyList<object?[]> Expected { get; }

    /// <summary>Every scenario's name.</summary>
    public static IEnumerable<string> Names => All.Keys;

    /// <summary>The scenario called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No scenario has that name.</exception>
    public static KillScenario Named(string name) =>
        All.TryGetValue(name, out var scenario) ? scenario
            : throw new ArgumentException($"There is no kill scenario '{name}'; there are: {string.Join(", ", All.Keys)}.", nameof(name));

    /// <summary>The non-system column names of <paramref name="table"/>, the columns an upsert carries.</summary>
    public static string[] Writable(TableSchema table) =>
        [.. table.Columns.Select(c => c.Name).Where(n => n != Sys.Synced && n != Sys.Deleted)];

    private static IEnumerable<KillScenario> Build()
    {
        var created = Table(("v", ColumnType.String));
        yield return new KillScenario("create", null, Batch(created, [[1, "a"], [2, null]], new SchemaChange(SchemaChangeKind.CreateTable, null), T1),
            [[1, "a"], [2, null]]);

        var before = Table(("v", ColumnType.String));
        var added = new TableSchema("t", [.. before.Columns, new ColumnSchema("w", ColumnType.Long)], ["id"]);
        yield return new KillScenario("add column",
            Batch(before, [[1, "a"]], new SchemaChange(SchemaChangeKind.CreateTable, null), T1),
            Batch(added, [[2, "b", 5L]], new SchemaChange(SchemaChangeKind.AddColumn, new ColumnSchema("w", ColumnType.Long)), T2),
            [[1, "a", null], [2, "b", 5L]]);

        // An upsert of a key the table holds ends its initial load: the key is built, then the row merged.
        var keyed = Table(("v", ColumnType.String));
        yield return new KillScenario("build key",
            Batch(keyed, [[1, "a"], [2, null]], new SchemaChange(SchemaChangeKind.CreateTable, null), T1),
            Batch(keyed, [[1, "b"]], null, T2),
            [[1, "b"], [2, null]],
            setupStillLoading: true);

        var dec = ColumnType.Decimal(10, 2);
        (ColumnType From, ColumnType To, object Old, object Other, object New)[] widenings =
        [
            (ColumnType.Short, ColumnType.Int, (short)-7, (short)32000, 2_000_000_000),
            (ColumnType.Int, ColumnType.Long, 2_000_000_000, -1, 5_000_000_000L),
            (ColumnType.Long, TypeSystem.Widen(ColumnType.Long, dec), 132353453453635L, long.MinValue + 1, 1.25m),
            (ColumnType.Int, TypeSystem.Widen(ColumnType.Int, dec), 7, int.MinValue, 100.01m),
            (dec, TypeSystem.Widen(dec, ColumnType.Decimal(20, 4)), 1.25m, -99999999.99m, 12345678.1234m),
            (ColumnType.Long, ColumnType.Double, 9007199254740993L, long.MaxValue, 0.5),
            (dec, ColumnType.Double, 12345678.12m, -0.01m, 1.5),
            (ColumnType.Short, ColumnType.Float, (short)-3, short.MaxValue, 1.5f),
            (ColumnType.Float, ColumnType.Double, 10.4f, float.MaxValue, 0.1),
            (ColumnType.Int, ColumnType.Double, int.MaxValue, -5, 2.5),
            (ColumnType.NaiveDate, ColumnType.NaiveDateTime, new DateOnly(2024, 5, 6), new DateOnly(1, 1, 1), new DateTime(2024, 5, 9, 1, 2, 3)),
            (ColumnType.NaiveDate, ColumnType.UtcDateTime, new DateOnly(2024, 5, 6), new DateOnly(9999, 12, 31), new DateTimeOffset(2024, 5, 7, 1, 2, 3, TimeSpan.Zero)),
            (ColumnType.NaiveDateTime, ColumnType.UtcDateTime, new DateTime(2024, 5, 8, 22, 30, 0).AddTicks(1234560), new DateTime(2000, 2, 29, 0, 0, 0),
                new DateTimeOffset(2024, 5, 10, 1, 2, 3, TimeSpan.Zero)),
        ];
        foreach (var (from, to, old, other, @new) in widenings)
        {
            yield return Widening(from, to, old, other, @new);
        }

        (ColumnType From, object Old, object Other)[] texts =
        [
            (ColumnType.Boolean, true, false),
            (ColumnType.Short, (short)-7, short.MinValue),
            (ColumnType.Int, 2_000_000_000, 0),
            (ColumnType.Long, 132353453453635L, long.MinValue),
            (dec, 12.50m, -0.01m),
            (ColumnType.Float, 10.4f, 3e-7f),
            (ColumnType.Double, -4.19533e20, 0.30000000000000004),
            (ColumnType.NaiveDate, new DateOnly(2007, 12, 3), new DateOnly(1, 1, 1)),
            (ColumnType.NaiveDateTime, new DateTime(2007, 12, 3, 10, 15, 30).AddTicks(1234560), new DateTime(2024, 1, 31, 0, 0, 0)),
            (ColumnType.UtcDateTime, new DateTimeOffset(2007, 12, 3, 10, 15, 30, 123, TimeSpan.Zero), new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            (ColumnType.Binary, new byte[] { 0, 1, 2, 255 }, Array.Empty<byte>()),
            (ColumnType.Xml, "<a>1</a>", ""),
            (ColumnType.Json, "{\"b\":1,\"a\":[1.50,2]}", "[]"),
        ];
        foreach (var (from, old, other) in texts)
        {
            // The row written after the widening carries the first old value as the source gave it.
            yield return Widening(from, ColumnType.String, old, other, TypeSystem.Coerce(old, ColumnType.String)!);
        }
    }

    private static KillScenario Widening(ColumnType from, ColumnType to, object old, object other, object @new)
    {
        var before = Table(("v", from));
        var after = Table(("v", to));
        object?[][] rows = [[1, old], [2, other], [3, null]];
        var widened = rows.Select(r => new[] { r[0], Runtime.Destinations.Widening.Convert(r[1], from, to) }).Append([4, TypeSystem.Coerce(@new, to)]);
        return new KillScenario(
            string.Create(CultureInfo.InvariantCulture, $"widen {from} to {to}"),
            Batch(before, rows, new SchemaChange(SchemaChangeKind.CreateTable, null), T1),
            Batch(after, [[4, @new]], new SchemaChange(SchemaChangeKind.WidenColumn, new ColumnSchema("v", to)), T2),
            [.. widened]);
    }

    private static TableSchema Table(params (string Name, ColumnType Type)[] columns) =>
        new("t", [new ColumnSchema("id", ColumnType.Int), .. columns.Select(c => new ColumnSchema(c.Name, c.Type)), .. Sys.Trailing()], ["id"]);

    private static WriteBatch Batch(TableSchema table, object?[][] rows, SchemaChange? change, DateTimeOffset syncedAt)
    {
        var columns = Writable(table);
        var coerced = rows.Select(r => r.Select((v, i) => TypeSystem.Coerce(v, table.Find(columns[i])!.Type)).ToArray()).ToList();
        return new WriteBatch(Schema, table, Sys, OperationKind.Upsert, columns, coerced, change is null ? [] : [change], syncedAt);
    }
}
