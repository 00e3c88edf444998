using System.Globalization;
using System.Text.Json.Nodes;
using Tributary.Sdk;

namespace Tributary.Connectors.Synthetic;

/// <summary>
/// Generates a configurable number of deterministic rows, as plain upserts or interleaved with updates and deletes of
/// earlier keys (a change feed's shape); the benchmark and load-test source.
/// </summary>
[Connector("synthetic", Description = "Generates N deterministic rows into synthetic_rows; the benchmark source.")]
public sealed class SyntheticConnector : Connector
{
    private const string Table = "synthetic_rows";
    private const string RowsKey = "rows";
    private const string CheckpointEveryKey = "checkpoint_every";
    private const string ShapeKey = "shape";
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
        _ = ReadSettings(configuration);

        // Every column declared: on the hot path the runtime checks types and infers nothing.
        return
        [
            new TableDefinition(Table)
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
            },
        ];
    }

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var (rows, checkpointEvery, interleaved) = ReadSettings(context.Configuration);
        var next = context.State[NextKey]?.GetValue<long>() ?? 0;
        if (next < 0)
        {
            throw new InvalidOperationException(
                string.Create(CultureInfo.InvariantCulture, $"State '{NextKey}' is {next}; it must be 0 or more. Reset the connector."));
        }

        long sinceCheckpoint = 0;
        for (var i = next; i < rows; i++)
        {
            await context.UpsertAsync(Table, Row(i), cancellationToken);
            if (interleaved)
            {
                await InterleaveAsync(context, i, cancellationToken);
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
    /// update of the name of key (i × 7919) mod i, a key anywhere in the table.
    /// </summary>
    private static async Task InterleaveAsync(SyncContext context, long i, CancellationToken cancellationToken)
    {
        if (i % 2 == 1)
        {
            await context.DeleteAsync(Table, new { id = i / 2 }, cancellationToken);
        }

        if (i % 5 == 4)
        {
            await context.UpdateAsync(Table, new { id = i * 7919 % i, name = string.Create(CultureInfo.InvariantCulture, $"updated-{i}") }, cancellationToken);
        }
    }

    /// <summary>Row <paramref name="i"/>: one small object and its name string per row.</summary>
    internal static object Row(long i) => new
    {
        id = i,
        name = string.Create(CultureInfo.InvariantCulture, $"name-{i}"),
        amount = i * 0.25,
        flag = i % 3 == 0,
        created_at = Epoch.AddSeconds(i),
    };

    private static (long Rows, long CheckpointEvery, bool Interleaved) ReadSettings(ConnectorConfiguration configuration)
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

        return (rows, checkpointEvery, shape == "interleaved");
    }
}
