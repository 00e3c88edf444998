using Tributary.Connectors.Synthetic;
using Tributary.Sdk.Testing;
using Xunit;

namespace Tributary.Connectors.Tests.Synthetic;

public sealed class SyntheticConnectorTests
{
    private const string Table = "synthetic_rows";

    private static Dictionary<string, string> Configuration(long rows, long checkpointEvery) => new()
    {
        ["rows"] = rows.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["checkpoint_every"] = checkpointEvery.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task UpdateAsync_25RowsEvery10_WritesFormulaRowsAndThreeCheckpoints()
    {
        await using var harness = new ConnectorHarness("synthetic");

        var run = await harness.RunAsync(new SyntheticConnector(), Configuration(25, 10));

        RunAssert.Succeeded(run);
        Assert.Equal(25, run.Tables[Table].Upserts);
        Assert.Equal(3, run.Checkpoints); // after rows 10, 20 and 25
        RunAssert.JsonEqual("""{"next": 25}""", await harness.ReadStateAsync());
        await AssertRowsAsync(harness, 25);

        var types = await harness.ColumnTypesAsync(Table);
        Assert.Equal("bigint", types["id"]);
        Assert.Equal("varchar", types["name"]);
        Assert.Equal("double", types["amount"]);
        Assert.Equal("boolean", types["flag"]);
        Assert.Equal("timestamp with time zone", types["created_at"]);
    }

    [Fact]
    public async Task UpdateAsync_StateNext_ResumesFromThere()
    {
        await using var harness = new ConnectorHarness("synthetic");
        RunAssert.Succeeded(await harness.RunAsync(new SyntheticConnector(), Configuration(10, 10)));
        RunAssert.JsonEqual("""{"next": 10}""", await harness.ReadStateAsync());

        var run = await harness.RunAsync(new SyntheticConnector(), Configuration(25, 10));

        RunAssert.Succeeded(run);
        Assert.Equal(15, run.Tables[Table].Upserts);
        Assert.Equal(2, run.Checkpoints); // after 10 more rows (next = 20), and after the last (next = 25)
        RunAssert.JsonEqual("""{"next": 25}""", await harness.ReadStateAsync());
        await AssertRowsAsync(harness, 25);
    }

    [Fact]
    public async Task UpdateAsync_NothingLeft_WritesNothingAndKeepsNext()
    {
        await using var harness = new ConnectorHarness("synthetic");
        RunAssert.Succeeded(await harness.RunAsync(new SyntheticConnector(), Configuration(25, 10)));

        var run = await harness.RunAsync(new SyntheticConnector(), Configuration(25, 10));

        RunAssert.Succeeded(run);
        Assert.False(run.Tables.TryGetValue(Table, out var counts) && counts.Upserts > 0, "Nothing is upserted.");
        Assert.Equal(1, run.Checkpoints);
        RunAssert.JsonEqual("""{"next": 25}""", await harness.ReadStateAsync());
        await AssertRowsAsync(harness, 25);
    }

    [Fact]
    public async Task UpdateAsync_Defaults_ThousandRowsOneFinalCheckpoint()
    {
        await using var harness = new ConnectorHarness("synthetic");

        var run = await harness.RunAsync(new SyntheticConnector());

        RunAssert.Succeeded(run);
        Assert.Equal(1000, run.Tables[Table].Upserts);
        Assert.Equal(1, run.Checkpoints);
        RunAssert.JsonEqual("""{"next": 1000}""", await harness.ReadStateAsync());
        var count = Assert.Single(await harness.QueryAsync($"SELECT count(*) AS n, sum(amount) AS total FROM {harness.Qualified(Table)}"));
        Assert.Equal(1000L, Convert.ToInt64(count["n"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(999 * 1000 / 2 * 0.25, (double)count["total"]!);
    }

    [Fact]
    public async Task UpdateAsync_SampleConfigurationFile_WritesThousandRows()
    {
        await using var harness = new ConnectorHarness("synthetic");

        var run = await harness.RunAsync(new SyntheticConnector(), SampleConfiguration.Read("Synthetic"));

        RunAssert.Succeeded(run);
        Assert.Equal(1000, run.Tables[Table].Upserts);
    }

    [Fact]
    public async Task UpdateAsync_InterleavedShape_LeavesTheFormulasTableAcrossResumedSyncs()
    {
        await using var harness = new ConnectorHarness("synthetic");
        var configuration = Configuration(30, 7);
        configuration["shape"] = "interleaved";

        // Two syncs, the second resuming at next = 12: its deletes and updates reach rows the first one wrote.
        configuration["rows"] = "12";
        RunAssert.Succeeded(await harness.RunAsync(new SyntheticConnector(), configuration));
        configuration["rows"] = "30";
        var run = await harness.RunAsync(new SyntheticConnector(), configuration);

        RunAssert.Succeeded(run);
        Assert.Equal((18L, 9L, 4L), (run.Tables[Table].Upserts, run.Tables[Table].Deletes, run.Tables[Table].Updates));
        var expected = Enumerable.Range(0, 30).ToDictionary(i => (long)i, i => (Name: $"name-{i}", Deleted: false));
        for (long i = 0; i < 30; i++)
        {
            if (i % 2 == 1)
            {
                expected[i / 2] = expected[i / 2] with { Deleted = true };
            }

            if (i % 5 == 4)
            {
                expected[SyntheticConnector.UpdatedKey(i)] = expected[SyntheticConnector.UpdatedKey(i)] with { Name = $"updated-{i}" };
            }
        }

        var rows = await harness.RowsAsync(Table, "id");
        Assert.Equal(
            expected.OrderBy(p => p.Key).Select(p => $"{p.Key}|{p.Value.Name}|{p.Value.Deleted}"),
            rows.Select(r => $"{r["id"]}|{r["name"]}|{r[RunAssert.Deleted]}"));
    }

    [Fact]
    public void UpdatedKey_SpreadOverEveryKeyWrittenSoFar()
    {
        var keys = Enumerable.Range(1, 200_000).Select(n => 5L * n - 1).Select(i => (I: i, Key: SyntheticConnector.UpdatedKey(i))).ToList();

        Assert.All(keys, k => Assert.InRange(k.Key, 0, k.I - 1));
        Assert.True(keys.Select(k => k.Key).Distinct().Count() > keys.Count * 3 / 4, "Most updates reach a key no other update reaches.");
        Assert.True(keys.Count(k => k.Key < k.I / 2) > keys.Count / 3, "Many updates reach the older half of the table.");
    }

    [Fact]
    public async Task UpdateAsync_ThreeTables_SplitsTheRowsInOrderAndInterleavesInTheTableOfEachKey()
    {
        await using var harness = new ConnectorHarness("synthetic");
        var configuration = Configuration(12, 5);
        configuration["tables"] = "3";
        configuration["shape"] = "interleaved";

        var run = await harness.RunAsync(new SyntheticConnector(), configuration);

        // Rows 0-3 in synthetic_rows_1, 4-7 in _2, 8-11 in _3; keys 0-5 deleted (each after upsert 2k + 1), and keys 0
        // and 1 renamed after upserts 4 and 9.
        RunAssert.Succeeded(run);
        Assert.Equal(["synthetic_rows_1", "synthetic_rows_2", "synthetic_rows_3"], run.Tables.Keys.Order());
        string[][] expected =
        [
            ["0|updated-4|True", "1|updated-9|True", "2|name-2|True", "3|name-3|True"],
            ["4|name-4|True", "5|name-5|True", "6|name-6|False", "7|name-7|False"],
            ["8|name-8|False", "9|name-9|False", "10|name-10|False", "11|name-11|False"],
        ];
        for (var t = 0; t < 3; t++)
        {
            var rows = await harness.RowsAsync($"synthetic_rows_{t + 1}", "id");
            Assert.Equal(expected[t], rows.Select(r => $"{r["id"]}|{r["name"]}|{r[RunAssert.Deleted]}"));
        }
    }

    [Fact]
    public async Task UpdateAsync_ApiShape_UpsertsJsonRecordsFromPagesAndInfersTheirColumnsAcrossResumedSyncs()
    {
        await using var harness = new ConnectorHarness("synthetic");
        var configuration = Configuration(700, 1000);
        configuration["shape"] = "api";

        // The second sync resumes at next = 700, so its first page starts there and a page boundary falls at 1,700.
        RunAssert.Succeeded(await harness.RunAsync(new SyntheticConnector(), configuration));
        configuration["rows"] = "1800";
        var run = await harness.RunAsync(new SyntheticConnector(), configuration);

        RunAssert.Succeeded(run);
        Assert.Equal(1100, run.Tables[Table].Upserts);
        Assert.Equal(2, run.Checkpoints);   // after row 1,700 (1,000 rows into this sync) and after the last
        RunAssert.JsonEqual("""{"next": 1800}""", await harness.ReadStateAsync());
        var types = await harness.ColumnTypesAsync(Table);
        Assert.Equal(
            ["bigint", "varchar", "double", "boolean", "bigint"],
            new[] { "id", "field_1", "field_2", "field_3", "field_4" }.Select(c => types[c]));
        Assert.Equal(SyntheticConnector.ApiFields + 1, types.Keys.Count(c => c == "id" || c.StartsWith("field_", StringComparison.Ordinal)));
        var rows = await harness.RowsAsync(Table, "id");
        Assert.Equal(1800, rows.Count);
        foreach (var i in new[] { 0, 699, 700, 1699, 1700, 1799 })
        {
            var row = rows[i];
            Assert.Equal(((long)i, $"value-1-{i}", i + 0.5, (i + 3) % 2 == 0, 4L * i, $"value-49-{i}"),
                (row["id"], row["field_1"], row["field_2"], row["field_3"], row["field_4"], row["field_49"]));
        }
    }

    [Fact]
    public async Task UpdateAsync_KilledAfter15Rows_KeepsTheFirstCheckpointAndTheRerunConverges()
    {
        await using var harness = new ConnectorHarness("synthetic");

        var killed = await harness.RunAsync(new SyntheticConnector(), Configuration(25, 10), killAfterOperations: 15);

        RunAssert.Failed(killed, "killed after 15 operations");
        RunAssert.JsonEqual("""{"next": 10}""", await harness.ReadStateAsync());
        var rerun = await harness.RunAsync(new SyntheticConnector(), Configuration(25, 10));
        RunAssert.Succeeded(rerun);
        Assert.Equal(15, rerun.Tables[Table].Upserts);
        await AssertRowsAsync(harness, 25);
    }

    [Theory]
    [InlineData("shape", "random")]
    [InlineData("rows", "-1")]
    [InlineData("rows", "many")]
    [InlineData("checkpoint_every", "0")]
    [InlineData("checkpoint_every", "-5")]
    [InlineData("tables", "0")]
    public async Task UpdateAsync_InvalidSetting_FailsNamingKey(string key, string value)
    {
        await using var harness = new ConnectorHarness("synthetic");
        var configuration = Configuration(25, 10);
        configuration[key] = value;

        var run = await harness.RunAsync(new SyntheticConnector(), configuration);

        RunAssert.Failed(run, key);
        Assert.False(await harness.TableExistsAsync(Table));
    }

    private static async Task AssertRowsAsync(ConnectorHarness harness, int count)
    {
        var rows = await harness.RowsAsync(Table, "id");
        Assert.Equal(count, rows.Count);
        for (var i = 0; i < count; i++)
        {
            var row = rows[i];
            Assert.Equal((long)i, row["id"]);
            Assert.Equal($"name-{i}", row["name"]);
            Assert.Equal(i * 0.25, row["amount"]);
            Assert.Equal(i % 3 == 0, row["flag"]);
            Assert.Equal(SyntheticConnector.Epoch.AddSeconds(i), row["created_at"]);
            Assert.Equal(false, row[RunAssert.Deleted]);
        }
    }
}
