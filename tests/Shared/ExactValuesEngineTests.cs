using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tributary.Runtime;
using Tributary.Runtime.State;
using Tributary.Sdk;
using Xunit;

namespace Tributary.Testing;

/// <summary>
/// Exact values through the whole engine: a small connector runs through <see cref="SyncRunner"/> into a real destination,
/// and the warehouse is read back with SQL. JSON numbers keep every digit in a DECIMAL(38,10) and in a LONG above 2^53,
/// declared or inferred; a keyless table's surrogate key hashes coerced values, so "1.5" and "1.50" are one row under
/// DECIMAL(12,2); a value beyond its declared precision fails the sync naming table, column, key and value. A derived
/// class supplies <see cref="CreateTargetAsync"/>, as for <see cref="DestinationContractTests"/>.
/// </summary>
public abstract class ExactValuesEngineTests
{
    private const string Schema = "exact_values";
    private const string WideText = "12345678901234567.1234567891";
    private const string BigLongText = "9007199254740993";   // 2^53 + 1: the first integer a double cannot hold
    private const int JsonRowShapes = 4;

    /// <summary>A fresh, empty warehouse for one test.</summary>
    protected abstract Task<IDestinationTarget> CreateTargetAsync(CancellationToken cancellationToken);

    [Fact]
    public async Task RunAsync_JsonNumberIntoDeclaredDecimal38_10_KeepsEveryDigit()
    {
        await using var target = await CreateTargetAsync(default);
        var table = new TableDefinition("amounts")
        {
            PrimaryKey = ["id"],
            Columns = new Dictionary<string, ColumnType> { ["amount"] = ColumnType.Decimal(38, 10) },
        };

        var run = await RunAsync(target, async (context, ct) =>
        {
            foreach (var row in JsonRows("amount", WideText))
            {
                await context.UpsertAsync("amounts", row, ct);
            }

            await context.CheckpointAsync(new { }, ct);
        }, table);

        Succeeded(run);
        var rows = await target.Reader.RowsAsync(
            $"SELECT CAST(\"amount\" AS VARCHAR), \"amount\" FROM {WarehouseReader.Table(Schema, "amounts")} ORDER BY \"id\"", default);
        Assert.Equal(JsonRowShapes, rows.Count);
        Assert.All(rows, row =>
        {
            Assert.Equal(WideText, row[0]);
            Assert.Equal(12345678901234567.1234567891m, Convert.ToDecimal(row[1], CultureInfo.InvariantCulture));
        });
    }

    [Fact]
    public async Task RunAsync_JsonNumberIntoUndeclaredColumn_InfersDecimalAndKeepsEveryDigit()
    {
        await using var target = await CreateTargetAsync(default);

        var run = await RunAsync(target, async (context, ct) =>
        {
            foreach (var row in JsonRows("amount", WideText))
            {
                await context.UpsertAsync("amounts", row, ct);
            }

            await context.CheckpointAsync(new { }, ct);
        }, new TableDefinition("amounts") { PrimaryKey = ["id"] });

        Succeeded(run);
        var amount = (await target.Reader.ColumnsAsync(Schema, "amounts", default)).Single(c => c.Name == "amount");
        Assert.Equal(target.PhysicalType(ColumnType.Decimal(28, 10)), amount.PhysicalType);
        Assert.All(
            await target.Reader.RowsAsync($"SELECT CAST(\"amount\" AS VARCHAR) FROM {WarehouseReader.Table(Schema, "amounts")}", default),
            row => Assert.Equal(WideText, row[0]));
    }

    [Fact]
    public async Task RunAsync_JsonLongAboveTwoPow53_KeepsEveryDigitDeclaredAndInferred()
    {
        await using var target = await CreateTargetAsync(default);
        var table = new TableDefinition("counters")
        {
            PrimaryKey = ["id"],
            Columns = new Dictionary<string, ColumnType> { ["declared"] = ColumnType.Long },
        };

        var run = await RunAsync(target, async (context, ct) =>
        {
            var id = 0;
            foreach (var text in new[] { BigLongText, "9007199254740993.0", "9.007199254740993e15" })
            {
                // The declared column takes each spelling of the number; the inferred one its integral text.
                var row = JsonNode.Parse($"{{\"id\":{++id},\"declared\":{text},\"inferred\":{BigLongText}}}")!.AsObject();
                await context.UpsertAsync("counters", row, ct);
            }

            await context.CheckpointAsync(new { }, ct);
        }, table);

        Succeeded(run);
        var columns = (await target.Reader.ColumnsAsync(Schema, "counters", default)).ToDictionary(c => c.Name, c => c.PhysicalType);
        Assert.Equal(target.PhysicalType(ColumnType.Long), columns["declared"]);
        Assert.Equal(target.PhysicalType(ColumnType.Long), columns["inferred"]);
        var rows = await target.Reader.RowsAsync($"SELECT \"declared\", \"inferred\" FROM {WarehouseReader.Table(Schema, "counters")} ORDER BY \"id\"", default);
        Assert.Equal(3, rows.Count);
        Assert.All(rows, row => Assert.Equal(new object?[] { 9007199254740993L, 9007199254740993L }, row));
    }

    [Fact]
    public async Task RunAsync_DecimalsAtTheEdgesOfSystemDecimal_KeepEveryDigit()
    {
        await using var target = await CreateTargetAsync(default);
        var table = new TableDefinition("edges")
        {
            PrimaryKey = ["id"],
            Columns = new Dictionary<string, ColumnType> { ["whole"] = ColumnType.Decimal(38, 0), ["tiny"] = ColumnType.Decimal(38, 30) },
        };

        var run = await RunAsync(target, async (context, ct) =>
        {
            await context.UpsertAsync("edges", JsonNode.Parse("{\"id\":1,\"whole\":79228162514264337593543950335,\"tiny\":0.5}")!.AsObject(), ct);
            await context.UpsertAsync("edges", JsonNode.Parse("{\"id\":2,\"whole\":-79228162514264337593543950335,\"tiny\":1.0000000000000000000000000001}")!.AsObject(), ct);
            await context.CheckpointAsync(new { }, ct);
        }, table);

        Succeeded(run);
        var rows = await target.Reader.RowsAsync(
            $"SELECT CAST(\"whole\" AS VARCHAR), CAST(\"tiny\" AS VARCHAR) FROM {WarehouseReader.Table(Schema, "edges")} ORDER BY \"id\"", default);
        Assert.Equal(
            ["79228162514264337593543950335|0.500000000000000000000000000000", "-79228162514264337593543950335|1.000000000000000000000000000100"],
            rows.Select(r => $"{r[0]}|{r[1]}"));
    }

    [Fact]
    public async Task RunAsync_KeylessTableDecimal12_2_CollapsesEqualValuesIntoOneRow()
    {
        await using var target = await CreateTargetAsync(default);
        var table = new TableDefinition("payments")
        {
            Columns = new Dictionary<string, ColumnType> { ["amount"] = ColumnType.Decimal(12, 2) },
        };

        var run = await RunAsync(target, async (context, ct) =>
        {
            // One batch, then further batches and a second checkpoint: the surrogate key must match in the buffer and in the table.
            await context.UpsertAsync("payments", new Dictionary<string, object?> { ["payer"] = "ada", ["amount"] = "1.5" }, ct);
            await context.UpsertAsync("payments", new Dictionary<string, object?> { ["payer"] = "ada", ["amount"] = "1.50" }, ct);
            await context.CheckpointAsync(new { step = 1 }, ct);
            await context.UpsertAsync("payments", new Dictionary<string, object?> { ["payer"] = "ada", ["amount"] = 1.5m }, ct);
            await context.CheckpointAsync(new { step = 2 }, ct);
            await context.UpsertAsync("payments", new Dictionary<string, object?> { ["payer"] = "ada", ["amount"] = 1.50m }, ct);
            await context.UpsertAsync("payments", JsonNode.Parse("{\"payer\":\"ada\",\"amount\":1.500}")!.AsObject(), ct);
            await context.UpsertAsync("payments", new Dictionary<string, object?> { ["payer"] = "ada", ["amount"] = 1.5 }, ct);
            await context.UpsertAsync("payments", new Dictionary<string, object?> { ["payer"] = "ada", ["amount"] = "1.51" }, ct);
            await context.CheckpointAsync(new { step = 3 }, ct);
        }, table);

        Succeeded(run);
        var rows = await target.Reader.RowsAsync(
            $"SELECT CAST(\"amount\" AS VARCHAR), \"payer\" FROM {WarehouseReader.Table(Schema, "payments")} ORDER BY \"amount\"", default);
        Assert.Equal(["1.50|ada", "1.51|ada"], rows.Select(r => $"{r[0]}|{r[1]}"));
    }

    [Fact]
    public async Task RunAsync_DecimalBeyondDeclaredPrecision_FailsNamingTableColumnKeyAndValue()
    {
        await using var target = await CreateTargetAsync(default);
        var table = new TableDefinition("prices")
        {
            PrimaryKey = ["id"],
            Columns = new Dictionary<string, ColumnType> { ["amount"] = ColumnType.Decimal(12, 2) },
        };

        var run = await RunAsync(target, async (context, ct) =>
        {
            await context.UpsertAsync("prices", JsonNode.Parse("{\"id\":6,\"amount\":9999999999.99}")!.AsObject(), ct);
            await context.CheckpointAsync(new { step = 1 }, ct);
            await context.UpsertAsync("prices", JsonNode.Parse("{\"id\":7,\"amount\":12345678901.25}")!.AsObject(), ct);
            await context.CheckpointAsync(new { step = 2 }, ct);
        }, table);

        var error = Failed(run);
        Assert.Contains("'prices'", error, StringComparison.Ordinal);
        Assert.Contains("'amount'", error, StringComparison.Ordinal);
        Assert.Contains("id=7", error, StringComparison.Ordinal);
        Assert.Contains("12345678901.25", error, StringComparison.Ordinal);
        Assert.Contains("DECIMAL(12,2)", error, StringComparison.Ordinal);
        var rows = await target.Reader.RowsAsync($"SELECT \"id\", CAST(\"amount\" AS VARCHAR) FROM {WarehouseReader.Table(Schema, "prices")}", default);
        Assert.Equal(["6|9999999999.99"], rows.Select(r => $"{r[0]}|{r[1]}"));
    }

    [Fact]
    public async Task RunAsync_DecimalBeyondSystemDecimal_FailsNamingTheValueInsteadOfRounding()
    {
        await using var target = await CreateTargetAsync(default);
        const string Text = "1234567890123456789012345678901.5";   // fits DECIMAL(38,2); more digits than a decimal carries
        var table = new TableDefinition("ledger")
        {
            PrimaryKey = ["id"],
            Columns = new Dictionary<string, ColumnType> { ["balance"] = ColumnType.Decimal(38, 2) },
        };

        var run = await RunAsync(target, async (context, ct) =>
        {
            await context.UpsertAsync("ledger", JsonNode.Parse($"{{\"id\":1,\"balance\":{Text}}}")!.AsObject(), ct);
            await context.CheckpointAsync(new { }, ct);
        }, table);

        var error = Failed(run);
        Assert.Contains("'ledger'", error, StringComparison.Ordinal);
        Assert.Contains("'balance'", error, StringComparison.Ordinal);
        Assert.Contains("id=1", error, StringComparison.Ordinal);
        Assert.Contains(Text, error, StringComparison.Ordinal);
    }

    /// <summary>
    /// One row per shape a connector hands the engine JSON in (ids 1 to <see cref="JsonRowShapes"/>), each with
    /// <paramref name="column"/> = the JSON number <paramref name="number"/>.
    /// </summary>
    private static IEnumerable<object> JsonRows(string column, string number)
    {
        string Json(int id) => $"{{\"id\":{id},\"{column}\":{number}}}";
        yield return JsonNode.Parse(Json(1))!.AsObject();
        yield return JsonSerializer.Deserialize<JsonObject>(Json(2))!;
        yield return JsonSerializer.Deserialize<Dictionary<string, object?>>(Json(3))!;   // values are JsonElements
        using var document = JsonDocument.Parse(Json(4));
        yield return document.RootElement.Clone();
    }

    private static async Task<RunRecord> RunAsync(IDestinationTarget target, Func<SyncContext, CancellationToken, Task> update, params TableDefinition[] tables)
    {
        var files = Directory.CreateTempSubdirectory("tributary-exact-values-");
        try
        {
            var runner = new SyncRunner(target.Open(), new FileStateStore(files.FullName));
            return await runner.RunAsync(new SyncRequest(Schema, new LambdaConnector(update, tables), ConnectorConfiguration.Empty), default)
                .WaitAsync(TimeSpan.FromMinutes(2));
        }
        finally
        {
            files.Delete(recursive: true);
        }
    }

    private static void Succeeded(RunRecord run) =>
        Assert.True(run.Outcome == RunOutcome.Succeeded, $"Expected Succeeded, got {run.Outcome}: {run.Error}");

    private static string Failed(RunRecord run)
    {
        Assert.True(run.Outcome == RunOutcome.Failed, $"Expected Failed, got {run.Outcome}: {run.Error}");
        return run.Error!;
    }

    private sealed class LambdaConnector(Func<SyncContext, CancellationToken, Task> update, TableDefinition[] tables) : Connector
    {
        public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) => tables;

        public override Task UpdateAsync(SyncContext context, CancellationToken cancellationToken) => update(context, cancellationToken);
    }
}
