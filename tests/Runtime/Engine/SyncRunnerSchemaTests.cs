using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;
using Tributary.Runtime.Tests.Support;
using Tributary.Sdk;

namespace Tributary.Runtime.Tests.Engine;

/// <summary>Tables and columns the engine creates, infers, widens, and the system columns it adds.</summary>
public sealed class SyncRunnerSchemaTests
{
    private static ColumnType TypeOf(TableSchema table, string column) =>
        (table.Find(column) ?? throw new KeyNotFoundException($"{table.Name} has no column {column}; it has {string.Join(", ", table.Columns.Select(c => c.Name))}.")).Type;

    [Fact]
    public async Task RunAsync_UndeclaredColumnOnlyNull_NotCreated()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(async (context, ct) =>
        {
            await context.UpsertAsync("items", new Dictionary<string, object?> { ["id"] = 1, ["maybe"] = null }, ct);
            await context.UpsertAsync("items", new Dictionary<string, object?> { ["id"] = 2, ["maybe"] = null }, ct);
            await context.CheckpointAsync(new { }, ct);
        });

        RunAssert.Succeeded(run);
        Assert.Null(harness.Destination.Table(EngineHarness.Connector, "items").Find("maybe"));
    }

    [Fact]
    public async Task RunAsync_UndeclaredColumnFirstNonNullLater_AddedWithInferredType()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(async (context, ct) =>
        {
            await context.UpsertAsync("items", new Dictionary<string, object?> { ["id"] = 1, ["maybe"] = null }, ct);
            await context.CheckpointAsync(new { }, ct);
            await context.UpsertAsync("items", new Dictionary<string, object?> { ["id"] = 2, ["maybe"] = 2.5 }, ct);
            await context.CheckpointAsync(new { }, ct);
        });

        RunAssert.Succeeded(run);
        Assert.Equal(ColumnType.Double, TypeOf(harness.Destination.Table(EngineHarness.Connector, "items"), "maybe"));
        Assert.Contains(
            harness.Destination.Batches.SelectMany(b => b.Changes),
            c => c.Kind == SchemaChangeKind.AddColumn && c.Column!.Name == "maybe");
    }

    [Fact]
    public async Task RunAsync_DeclaredColumnsNullOrAbsent_CreatedWithDeclaredTypes()
    {
        await using var harness = new EngineHarness();
        var specified = new TableDefinition("specified")
        {
            PrimaryKey = ["id"],
            Columns = new Dictionary<string, ColumnType> { ["_null"] = ColumnType.String, ["amount"] = ColumnType.Decimal(15, 2) },
        };

        var run = await harness.RunAsync(
            async (context, ct) =>
            {
                await context.UpsertAsync("specified", new Dictionary<string, object?> { ["id"] = 1, ["_null"] = null }, ct);
                await context.CheckpointAsync(new { }, ct);
            },
            specified);

        RunAssert.Succeeded(run);
        var table = harness.Destination.Table(EngineHarness.Connector, "specified");
        Assert.Equal(ColumnType.String, TypeOf(table, "_null"));
        Assert.Equal(ColumnType.Decimal(15, 2), TypeOf(table, "amount"));
        Assert.Equal(["id"], table.PrimaryKey);
        var row = Assert.Single(harness.Rows("specified"));
        Assert.Null(row["_null"]);
        Assert.Null(row["amount"]);
    }

    [Fact]
    public async Task RunAsync_DeclaredDecimalGivenString_StoredAsDecimal()
    {
        await using var harness = new EngineHarness();
        var prices = new TableDefinition("prices")
        {
            PrimaryKey = ["id"],
            Columns = new Dictionary<string, ColumnType> { ["amount"] = ColumnType.Decimal(15, 2), ["at"] = ColumnType.UtcDateTime, ["doc"] = ColumnType.Json },
        };

        var run = await harness.RunAsync(
            async (context, ct) =>
            {
                await context.UpsertAsync("prices", new { id = 1, amount = "105.34", at = "2007-12-03T10:15:30.123Z", doc = "{\"a\": 10}" }, ct);
                await context.CheckpointAsync(new { }, ct);
            },
            prices);

        RunAssert.Succeeded(run);
        var row = Assert.Single(harness.Rows("prices"));
        Assert.Equal(105.34m, row["amount"]);
        Assert.Equal(new DateTimeOffset(2007, 12, 3, 10, 15, 30, 123, TimeSpan.Zero), row["at"]);
        Assert.Equal("{\"a\":10}", row["doc"]);
    }

    [Fact]
    public async Task RunAsync_IntThenDoubleThenString_WidensColumnInPlace()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(async (context, ct) =>
        {
            await context.UpsertAsync("schema_change", new { int_to_string = 42 }, ct);
            await context.CheckpointAsync(new { }, ct);
            await context.UpsertAsync("schema_change", new { int_to_string = 42.42 }, ct);
            await context.CheckpointAsync(new { }, ct);
            await context.UpsertAsync("schema_change", new { int_to_string = "forty-two" }, ct);
            await context.CheckpointAsync(new { }, ct);
        });

        RunAssert.Succeeded(run);
        var widenings = harness.Destination.Batches.SelectMany(b => b.Changes).Where(c => c.Kind == SchemaChangeKind.WidenColumn).ToList();
        Assert.Equal(
            [new ColumnSchema("int_to_string", ColumnType.Double), new ColumnSchema("int_to_string", ColumnType.String)],
            widenings.Select(c => c.Column!));
        Assert.Equal(ColumnType.String, TypeOf(harness.Destination.Table(EngineHarness.Connector, "schema_change"), "int_to_string"));
        Assert.Equal(["42", "42.42", "forty-two"], harness.Rows("schema_change").Select(r => (string)r["int_to_string"]!).Order(StringComparer.Ordinal));
        Assert.Equal(3, run.SchemaChanges);   // create, widen, widen
    }

    [Fact]
    public async Task RunAsync_WideningAcrossSyncs_AppliedToExistingTable()
    {
        await using var harness = new EngineHarness();
        RunAssert.Succeeded(await harness.RunAsync(async (context, ct) =>
        {
            await context.UpsertAsync("schema_change", new { id = 1, v = 42 }, ct);
            await context.CheckpointAsync(new { }, ct);
        }));

        var second = await harness.RunAsync(async (context, ct) =>
        {
            await context.UpsertAsync("schema_change", new { id = 2, v = 42.42 }, ct);
            await context.CheckpointAsync(new { }, ct);
        });

        RunAssert.Succeeded(second);
        var change = Assert.Single(harness.Destination.Batches[^1].Changes);
        Assert.Equal(new SchemaChange(SchemaChangeKind.WidenColumn, new ColumnSchema("v", ColumnType.Double)), change);
        Assert.Equal(1, second.SchemaChanges);
    }

    [Fact]
    public async Task RunAsync_NarrowerValueLater_ColumnKeepsWiderType()
    {
        await using var harness = new EngineHarness();

        var run = await harness.RunAsync(async (context, ct) =>
        {
            await context.UpsertAsync("items", new { id = 1, v = 42L }, ct);
            await context.UpsertAsync("items", new { id = 2, v = (short)7 }, ct);
            await context.CheckpointAsync(new { }, ct);
        });

        RunAssert.Succeeded(run);
        Assert.Equal(ColumnType.Long, TypeOf(harness.Destination.Table(EngineHarness.Connector, "items"), "v"));
        Assert.DoesNotContain(harness.Destination.Batches.SelectMany(b => b.Changes), c => c.Kind == SchemaChangeKind.WidenColumn);
    }

    [Fact]
    public async Task RunAsync_KeylessTable_GetsSurrogateIdColumnAsKey()
    {
        await using var harness = new EngineHarness();

        RunAssert.Succeeded(await harness.RunAsync(async (context, ct) =>
        {
            await context.UpsertAsync("hello", new { message = "hello, world!" }, ct);
            await context.CheckpointAsync(new { }, ct);
        }));

        var table = harness.Destination.Table(EngineHarness.Connector, "hello");
        Assert.Equal(["_tributary_id"], table.PrimaryKey);
        Assert.Equal(ColumnType.String, TypeOf(table, "_tributary_id"));
        Assert.Equal(ColumnType.UtcDateTime, TypeOf(table, "_tributary_synced"));
        Assert.Equal(ColumnType.Boolean, TypeOf(table, "_tributary_deleted"));
        Assert.False(string.IsNullOrEmpty((string?)Assert.Single(harness.Rows("hello"))["_tributary_id"]));
    }

    [Fact]
    public async Task RunAsync_KeylessSameValuesTwice_SameIdOneRow()
    {
        await using var harness = new EngineHarness();
        Func<SyncContext, CancellationToken, Task> hello = async (context, ct) =>
        {
            await context.UpsertAsync("hello", new { message = "hello, world!", n = 1 }, ct);
            await context.CheckpointAsync(new { }, ct);
        };

        RunAssert.Succeeded(await harness.RunAsync(hello));
        RunAssert.Succeeded(await harness.RunAsync(hello));

        var ids = harness.Destination.BatchesOf("hello").SelectMany(b => b.ValuesOf("_tributary_id")).ToList();
        Assert.Equal(2, ids.Count);
        Assert.Equal(ids[0], ids[1]);
        Assert.Single(harness.Rows("hello"));
    }

    [Fact]
    public async Task RunAsync_KeylessDifferentValues_DifferentIds()
    {
        await using var harness = new EngineHarness();

        RunAssert.Succeeded(await harness.RunAsync(async (context, ct) =>
        {
            await context.UpsertAsync("hello", new { message = "hello" }, ct);
            await context.UpsertAsync("hello", new { message = "bye" }, ct);
            await context.UpsertAsync("hello", new { message = "hello" }, ct);
            await context.CheckpointAsync(new { }, ct);
        }));

        Assert.Equal(2, harness.Rows("hello").Select(r => r["_tributary_id"]).Distinct().Count());
    }

    [Fact]
    public async Task RunAsync_FivetranSystemColumns_UsesFivetranNames()
    {
        await using var harness = new EngineHarness();
        harness.Options.SystemColumns = SystemColumns.Fivetran;

        RunAssert.Succeeded(await harness.RunAsync(async (context, ct) =>
        {
            await context.UpsertAsync("hello", new { message = "hello" }, ct);
            await context.DeleteAsync("hello", new Dictionary<string, object?> { ["_fivetran_id"] = "nope" }, ct);
            await context.CheckpointAsync(new { }, ct);
        }));

        var table = harness.Destination.Table(EngineHarness.Connector, "hello");
        Assert.Equal(["_fivetran_id"], table.PrimaryKey);
        Assert.Equal(["message", "_fivetran_id", "_fivetran_synced", "_fivetran_deleted"], table.Columns.Select(c => c.Name));
        Assert.DoesNotContain(table.Columns, c => c.Name.StartsWith("_tributary", StringComparison.Ordinal));
        Assert.Equal(false, Assert.Single(harness.Rows("hello"))["_fivetran_deleted"]);
    }

    [Fact]
    public async Task RunAsync_SourceNames_NormalisedInDestination()
    {
        await using var harness = new EngineHarness();

        RunAssert.Succeeded(await harness.RunAsync(
            async (context, ct) =>
            {
                await context.UpsertAsync("UserAccounts", new Dictionary<string, object?> { ["userId"] = 1, ["order"] = 2, ["2fa"] = true }, ct);
                await context.CheckpointAsync(new { }, ct);
            },
            new TableDefinition("UserAccounts") { PrimaryKey = ["userId"] }));

        var table = harness.Destination.Table(EngineHarness.Connector, "user_accounts");
        Assert.Equal(["user_id"], table.PrimaryKey);
        Assert.Equal(["user_id", "_order", "_2fa"], table.Columns.Take(3).Select(c => c.Name));
    }

    [Fact]
    public async Task RunAsync_RowShapes_AllLandAlike()
    {
        await using var harness = new EngineHarness();

        RunAssert.Succeeded(await harness.RunAsync(
            async (context, ct) =>
            {
                await context.UpsertAsync("shapes", new Dictionary<string, object?> { ["id"] = 1, ["name"] = "dictionary" }, ct);
                await context.UpsertAsync("shapes", new { id = 2, name = "anonymous" }, ct);
                await context.UpsertAsync("shapes", new Shape(3, "record"), ct);
                await context.UpsertAsync("shapes", System.Text.Json.Nodes.JsonNode.Parse("""{"id": 4, "name": "json"}""")!, ct);
                await context.CheckpointAsync(new { }, ct);
            },
            // A JSON number is a LONG and a C# int an INT: declare the key's type so both shapes share it.
            new TableDefinition("shapes") { PrimaryKey = ["id"], Columns = new Dictionary<string, ColumnType> { ["id"] = ColumnType.Long } }));

        Assert.Equal(
            ["dictionary", "anonymous", "record", "json"],
            harness.Rows("shapes").OrderBy(r => (long)r["id"]!).Select(r => (string)r["name"]!));
    }

    public sealed record Shape(int Id, string Name);
}
