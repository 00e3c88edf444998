using System.Globalization;
using System.Text.Json.Nodes;
using Tributary.Sdk;

namespace Tributary.Connectors.Synthetic;

/// <summary>
/// Generates a configurable number of deterministic rows, as plain upserts or interleaved with updates and deletes of
/// earlier keys (a change feed's shape), into one table or spread over many (a database's shape); the benchmark and
/// load-test source.
/// </summary>
[Connector("synthetic", Description = "Generates N deterministic rows into synthetic_rows; the benchmark source.")]
public sealed class SyntheticConnector : Connector
{
    private const string Table = "synthetic_rows";
    private const string RowsKey = "rows";
    private const string CheckpointEveryKey = "checkpoint_every";
    private const string ShapeKey = "shape";
    private const string TablesKey = "tables";
    private const string NextKey = "next";

    /// <summary>Rows generated when <c>rows</c> is not configured.</summary>
    internal const long DefaultRows = 1000;

    /// <summary>Rows between checkpoints when <c>checkpoint_every</c> is not configured.</summary>
    internal const long DefaultCheckpointEvery = 10_000;

    /// <summary>The <c>created_at</c> of row 0; row i is i seconds later.</summary>
    internal static readonly DateTimeOffset Epoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration)
    {
        var settings = ReadSettings(configuration);

        // Every column declared: on the hot path the runtime checks types and infers nothing.
        return Enumerable.Range(0, settings.Tables).Select(t => new TableDefinition(TableName(t, settings.Tables))
        {
            PrimaryKey = ["id"],
            Columns = new Dictionary<string, ColumnType>
            {
                ["id"] = ColumnType.Long,
                ["name"] = ColumnType.String,
                ["amount"] = ColumnType.Double,
                ["flag"] = ColumnType.Boolean,
                ["created_at"] = ColumnType.UtcDateTime,
            },
        });
    }

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var (rows, checkpointEvery, interleaved, tables) = ReadSettings(context.Configuration);
        var next = context.State[NextKey]?.GetValue<long>() ?? 0;
        if (next < 0)
        {
            throw new InvalidOperationException(
                string.Create(CultureInfo.InvariantCulture, $"State '{NextKey}' is {next}; it must be 0 or more. Reset the connector."));
        }

        var names = Enumerable.Range(0, tables).Select(t => TableName(t, tables)).ToArray();
        Func<long, string> tableOf = key => names[TableOf(key, rows, tables)];
        long sinceCheckpoint = 0;
        for (var i = next; i < rows; i++)
        {
            await context.UpsertAsync(tableOf(i), Row(i), cancellationToken);
            if (interleaved)
            {
                await InterleaveAsync(context, i, tableOf, cancellationToken);
            }

            if (++sinceCheckpoint == checkpointEvery)
            {
                await context.CheckpointAsync(new JsonObject { [NextKey] = i + 1 }, cancellationToken);
                sinceCheckpoint = 0;
            }
        }

        // After the last row; also when nothing was left to write, so every sync ends with a checkpoint.
        if (sinceCheckpoint > 0 || next >= rows)
        {
            await context.CheckpointAsync(new JsonObject { [NextKey] = Math.Max(next, rows) }, cancellationToken);
        }
    }

    /// <summary>
    /// The interleaved shape, after upsert <paramref name="i"/>: every second upsert, a delete of key i / 2; every fifth, an
    /// update of the name of key <see cref="UpdatedKey"/>(i), a key anywhere in the table (or tables: each in the one that
    /// holds it).
    /// </summary>
    private static async Task InterleaveAsync(SyncContext context, long i, Func<long, string> tableOf, CancellationToken cancellationToken)
    {
        if (i % 2 == 1)
        {
            await context.DeleteAsync(tableOf(i / 2), new { id = i / 2 }, cancellationToken);
        }

        if (i % 5 == 4)
        {
            var key = UpdatedKey(i);
            await context.UpdateAsync(tableOf(key), new { id = key, name = string.Create(CultureInfo.InvariantCulture, $"updated-{i}") }, cancellationToken);
        }
    }

    /// <summary>
    /// The key whose name the interleaved shape updates after upsert <paramref name="i"/>: (i × 0x9E3779B97F4A7C15 mod
    /// 2^64) mod i, spread over every key written so far (Fibonacci hashing), not the latest ones a batch would fold.
    /// </summary>
    internal static long UpdatedKey(long i) => (long)(unchecked((ulong)i * 0x9E3779B97F4A7C15UL) % (ulong)i);

    /// <summary>The name of table <paramref name="t"/> of <paramref name="tables"/>: <c>synthetic_rows</c> when there is one, else numbered from 1.</summary>
    private static string TableName(int t, int tables) =>
        tables == 1 ? Table : string.Create(CultureInfo.InvariantCulture, $"{Table}_{t + 1}");

    /// <summary>The table row <paramref name="i"/> goes to: the rows are split in order into equal runs, one a table.</summary>
    private static int TableOf(long i, long rows, int tables) => (int)(i * tables / rows);

    /// <summary>Row <paramref name="i"/>: one small object and its name string per row.</summary>
    internal static object Row(long i) => new
    {
        id = i,
        name = string.Create(CultureInfo.InvariantCulture, $"name-{i}"),
        amount = i * 0.25,
        flag = i % 3 == 0,
        created_at = Epoch.AddSeconds(i),
    };

    private static (long Rows, long CheckpointEvery, bool Interleaved, int Tables) ReadSettings(ConnectorConfiguration configuration)
    {
        var rows = configuration.GetInt64(RowsKey, DefaultRows);
        if (rows < 0)
        {
            throw new ConfigurationException(
                string.Create(CultureInfo.InvariantCulture, $"Configuration key '{RowsKey}' must be 0 or more; got '{rows}'."));
        }

        var checkpointEvery = configuration.GetInt64(CheckpointEveryKey, DefaultCheckpointEvery);
        if (checkpointEvery < 1)
        {
            throw new ConfigurationException(
                string.Create(CultureInfo.InvariantCulture, $"Configuration key '{CheckpointEveryKey}' must be 1 or more; got '{checkpointEvery}'."));
        }

        var shape = configuration.GetString(ShapeKey, "upserts");
        if (shape is not ("upserts" or "interleaved"))
        {
            throw new ConfigurationException($"Configuration key '{ShapeKey}' must be 'upserts' or 'interleaved'; got '{shape}'.");
        }

        var tables = configuration.GetInt64(TablesKey, 1);
        if (tables is < 1 or > 100_000)
        {
            throw new ConfigurationException(
                string.Create(CultureInfo.InvariantCulture, $"Configuration key '{TablesKey}' must be from 1 to 100000; got '{tables}'."));
        }

        return (rows, checkpointEvery, shape == "interleaved", (int)tables);
    }
}
