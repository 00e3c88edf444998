using System.Text.Json.Nodes;
using Tributary.Sdk.Testing;
using Xunit;

namespace Tributary.Connectors.Tests.CsvFiles;

/// <summary>
/// The tests both CSV examples pass, each against its real store (s3rver, Azurite): the loading logic is shared, so are the
/// scenarios. Each test has a bucket or container of its own, files under <c>in/</c>.
/// </summary>
public abstract class CsvValidationTests(CsvStore store)
{
    private const string Data = "data";
    private const string Rejects = "rejects";

    [Fact]
    public async Task UpdateAsync_FirstThenIncrementalSync_ReadsOnlyNewAndChangedFilesAndDeletesVanishedRows()
    {
        var configuration = await store.CreateAsync();
        await store.PutAsync(configuration, "in/a.csv", CsvText.Rows((1, "alpha"), (2, "beta")));
        await store.PutAsync(configuration, "in/b.csv", CsvText.Rows((10, "ten"), (11, "eleven"), (12, "twelve")));
        await store.PutAsync(configuration, "in/gone.csv", CsvText.Rows((20, "twenty")));
        await store.PutAsync(configuration, "in/notes.txt", "not a CSV file");
        await store.PutAsync(configuration, "elsewhere/x.csv", CsvText.Rows((99, "outside the prefix")));
        await using var harness = new ConnectorHarness(store.ConnectorName);
        await store.SetSecretsAsync(harness);

        var first = await harness.RunAsync(store.CreateConnector(), configuration);

        RunAssert.Succeeded(first);
        Assert.Equal(6, first.Tables[Data].Upserts);
        Assert.Equal(
            ["in/a.csv|1|alpha|False", "in/a.csv|2|beta|False", "in/b.csv|10|ten|False", "in/b.csv|11|eleven|False",
             "in/b.csv|12|twelve|False", "in/gone.csv|20|twenty|False"],
            await DataAsync(harness));
        var typed = Assert.Single(await harness.QueryAsync($"SELECT * FROM {harness.Qualified(Data)} WHERE int_value = 2"));
        Assert.Equal(3L, typed["_line"]);
        Assert.Equal(2000000000L, typed["long_value"]);
        Assert.Equal(true, typed["bool_value"]);
        Assert.Equal("2024-01-03", $"{typed["naive_date_value"]:yyyy-MM-dd}");
        Assert.Equal("2024-01-02T02:04:05", $"{typed["naive_date_time_value"]:yyyy-MM-ddTHH:mm:ss}");
        RunAssert.JsonEqual("""{"id": 2}""", JsonNode.Parse((string)typed["json_value"]!));
        var state = await harness.ReadStateAsync();
        Assert.Equal(["in/a.csv", "in/b.csv", "in/gone.csv"], Files(state).Select(f => f.Key));
        RunAssert.JsonEqual("[10, 11, 12]", state["files"]!["in/b.csv"]!["keys"]);
        var versionOfA = (string)state["files"]!["in/a.csv"]!["version"]!;

        // b.csv is replaced: 10 renamed, 11 gone, 13 new; c.csv is new; gone.csv is deleted; a.csv is untouched.
        await store.PutAsync(configuration, "in/b.csv", CsvText.Rows((10, "TEN"), (12, "twelve"), (13, "thirteen")));
        await store.PutAsync(configuration, "in/c.csv", CsvText.Rows((30, "thirty")));
        await store.DeleteAsync(configuration, "in/gone.csv");
        var logged = harness.Logs.Lines.Count;

        var second = await harness.RunAsync(store.CreateConnector(), configuration);

        RunAssert.Succeeded(second);
        var lines = harness.Logs.Lines.Skip(logged).ToList();
        Assert.Equal(["in/b.csv", "in/c.csv"], lines.Where(l => l.Contains("[2602]", StringComparison.Ordinal)).Select(FileOf));
        Assert.Equal(["in/a.csv"], lines.Where(l => l.Contains("[2601]", StringComparison.Ordinal)).Select(FileOf));
        Assert.Equal(4, second.Tables[Data].Upserts);
        Assert.Equal(2, second.Tables[Data].Deletes);
        Assert.Equal(
            ["in/a.csv|1|alpha|False", "in/a.csv|2|beta|False", "in/b.csv|10|TEN|False", "in/b.csv|11|eleven|True",
             "in/b.csv|12|twelve|False", "in/b.csv|13|thirteen|False", "in/c.csv|30|thirty|False", "in/gone.csv|20|twenty|True"],
            await DataAsync(harness));
        state = await harness.ReadStateAsync();
        Assert.Equal(["in/a.csv", "in/b.csv", "in/c.csv"], Files(state).Select(f => f.Key));
        Assert.Equal(versionOfA, (string)state["files"]!["in/a.csv"]!["version"]!);
        RunAssert.JsonEqual("[10, 12, 13]", state["files"]!["in/b.csv"]!["keys"]);
    }

    [Fact]
    public async Task UpdateAsync_InvalidLinesAndFiles_GoToRejectsWithFileLineFieldAndReason()
    {
        var configuration = await store.CreateAsync();
        await store.PutAsync(configuration, "in/a.csv", CsvText.File(
            CsvText.Line(1, "alpha"),
            "x3,,30,3.5,\"{\"\"k\"\" 1}\",maybe,2024-13-01,2024-01-04 25:00:00",
            "4,\"two\nlines\",40,4.5,[],TRUE,2024-1-4,2024-01-04 4:05:06",
            "5,five,50",
            CsvText.Line(1, "again"),
            "6,six,99999999999999999999,6.5,null,false,2024-01-06,2024-01-06 06:00:00"));
        await store.PutAsync(configuration, "in/no-date-time.csv", "int_column,string_column,long_column,float_column,json_column,bool_column,naive_date_column\n7,seven,7,7,{},true,2024-01-07\n");
        await store.PutAsync(configuration, "in/unclosed.csv", CsvText.File(CsvText.Line(8, "eight"), "9,\"nine,9,9,{},true,2024-01-09,2024-01-09 09:09:09"));
        await using var harness = new ConnectorHarness(store.ConnectorName);
        await store.SetSecretsAsync(harness);

        var run = await harness.RunAsync(store.CreateConnector(), configuration);

        RunAssert.Succeeded(run);
        Assert.Equal(["in/a.csv|1|alpha|False", "in/a.csv|4|two\nlines|False"], await DataAsync(harness));
        var rejects = await RejectsAsync(harness);
        Assert.Equal(
        [
            "in/a.csv|3|bool_column|maybe|not true or false",
            "in/a.csv|3|int_column|x3|not an integer (32-bit)",
            "in/a.csv|3|json_column|{\"k\" 1}|not JSON: '1' is invalid after a property name.",
            "in/a.csv|3|naive_date_column|2024-13-01|not a date (yyyy-mm-dd)",
            "in/a.csv|3|naive_date_time_column|2024-01-04 25:00:00|not a date and time (yyyy-mm-dd hh:mm:ss)",
            "in/a.csv|3|string_column||empty",
            "in/a.csv|6|(line)||3 fields where the header has 8",
            "in/a.csv|7|int_column|1|duplicate: line 2 has the same int_value",
            "in/a.csv|8|json_column|null|JSON null",
            "in/a.csv|8|long_column|99999999999999999999|not an integer (64-bit)",
            "in/no-date-time.csv|1|naive_date_time_column||the header has no column 'naive_date_time_column'; nothing of this version was loaded",
        ],
            rejects.Where(r => !r.StartsWith("in/unclosed.csv", StringComparison.Ordinal)));
        var unclosed = Assert.Single(rejects, r => r.StartsWith("in/unclosed.csv", StringComparison.Ordinal));
        Assert.StartsWith("in/unclosed.csv|3|(file)||not readable as CSV: ", unclosed, StringComparison.Ordinal);
        Assert.EndsWith("; nothing of this version was loaded", unclosed, StringComparison.Ordinal);

        // Both broken files are fixed: they load, and their rejects go; a.csv's rejects stay, a.csv being unchanged.
        await store.PutAsync(configuration, "in/no-date-time.csv", CsvText.Rows((7, "seven")));
        await store.PutAsync(configuration, "in/unclosed.csv", CsvText.Rows((8, "eight"), (9, "nine")));

        var fixedRun = await harness.RunAsync(store.CreateConnector(), configuration);

        RunAssert.Succeeded(fixedRun);
        Assert.Equal(2, fixedRun.Tables[Rejects].Deletes);
        Assert.Equal(
            ["in/a.csv|1|alpha|False", "in/a.csv|4|two\nlines|False", "in/no-date-time.csv|7|seven|False",
             "in/unclosed.csv|8|eight|False", "in/unclosed.csv|9|nine|False"],
            await DataAsync(harness));
        var fixedRejects = await harness.QueryAsync($"SELECT {RunAssert.Deleted} AS deleted FROM {harness.Qualified(Rejects)} WHERE file <> 'in/a.csv'");
        Assert.Equal(2, fixedRejects.Count);
        Assert.All(fixedRejects, r => Assert.Equal(true, r["deleted"]));

        // A new version that cannot be read loads nothing and leaves the rows of the last good one.
        await store.PutAsync(configuration, "in/unclosed.csv", CsvText.File(CsvText.Line(8, "EIGHT"), "9,\"nine"));

        var brokenAgain = await harness.RunAsync(store.CreateConnector(), configuration);

        RunAssert.Succeeded(brokenAgain);
        Assert.Equal(0, brokenAgain.Tables.GetValueOrDefault(Data)?.Upserts ?? 0);
        Assert.Contains("in/unclosed.csv|8|eight|False", await DataAsync(harness));
        Assert.Contains(await RejectsAsync(harness), r => r.StartsWith("in/unclosed.csv|3|(file)||not readable as CSV", StringComparison.Ordinal));
        RunAssert.JsonEqual("[8, 9]", (await harness.ReadStateAsync())["files"]!["in/unclosed.csv"]!["keys"]);
    }

    [Fact]
    public async Task UpdateAsync_WrongCredential_FailsNamingTheRefusedCredentialsAndKeepsTheState()
    {
        var configuration = await store.CreateAsync();
        await store.PutAsync(configuration, "in/a.csv", CsvText.Rows((1, "alpha")));
        await using var harness = new ConnectorHarness(store.ConnectorName);
        await store.SetSecretsAsync(harness);
        RunAssert.Succeeded(await harness.RunAsync(store.CreateConnector(), configuration));
        var before = await harness.ReadStateAsync();
        await store.PutAsync(configuration, "in/b.csv", CsvText.Rows((2, "beta")));
        await store.SetWrongSecretAsync(harness);

        var run = await harness.RunAsync(store.CreateConnector(), configuration);

        RunAssert.Failed(run, store.RefusedCredentialError);
        Assert.Equal(0, run.Checkpoints);
        RunAssert.JsonEqual(before.ToJsonString(), await harness.ReadStateAsync());
        Assert.Equal(["in/a.csv|1|alpha|False"], await DataAsync(harness));
    }

    [Fact]
    public async Task UpdateAsync_KilledInsideAChangedFile_RerunReloadsItAndConvergesToACleanSync()
    {
        var configuration = await store.CreateAsync();
        await store.PutAsync(configuration, "in/a.csv", CsvText.Rows((1, "alpha"), (2, "beta")));
        await store.PutAsync(configuration, "in/b.csv", CsvText.Rows((10, "ten"), (11, "eleven"), (12, "twelve")));
        await using var killed = new ConnectorHarness(store.ConnectorName);
        await using var clean = new ConnectorHarness(store.ConnectorName);
        await store.SetSecretsAsync(killed);
        await store.SetSecretsAsync(clean);
        RunAssert.Succeeded(await killed.RunAsync(store.CreateConnector(), configuration));
        RunAssert.Succeeded(await clean.RunAsync(store.CreateConnector(), configuration));
        var before = await killed.ReadStateAsync();
        await store.PutAsync(configuration, "in/a.csv", CsvText.File(CsvText.Line(1, "ALPHA"), "x,bad,1,1,{},true,2024-01-01,2024-01-01 00:00:00", CsvText.Line(3, "gamma")));
        await store.PutAsync(configuration, "in/b.csv", CsvText.Rows((10, "TEN"), (13, "thirteen")));

        // a.csv: 2 upserts, a reject, a delete, then its checkpoint; b.csv dies after its first upsert.
        var run = await killed.RunAsync(store.CreateConnector(), configuration, killAfterOperations: 5);

        RunAssert.Failed(run, "killed after 5 operations");
        var halfway = await killed.ReadStateAsync();
        Assert.NotEqual(before["files"]!["in/a.csv"]!.ToJsonString(), halfway["files"]!["in/a.csv"]!.ToJsonString());
        RunAssert.JsonEqual(before["files"]!["in/b.csv"]!.ToJsonString(), halfway["files"]!["in/b.csv"]);
        var logged = killed.Logs.Lines.Count;
        RunAssert.Succeeded(await killed.RunAsync(store.CreateConnector(), configuration));
        Assert.Equal(["in/b.csv"], killed.Logs.Lines.Skip(logged).Where(l => l.Contains("[2602]", StringComparison.Ordinal)).Select(FileOf));
        RunAssert.Succeeded(await clean.RunAsync(store.CreateConnector(), configuration));

        Assert.Equal(await clean.ContentsAsync(Data, "_file, int_value"), await killed.ContentsAsync(Data, "_file, int_value"));
        Assert.Equal(await clean.ContentsAsync(Rejects, "file, line, field"), await killed.ContentsAsync(Rejects, "file, line, field"));
        RunAssert.JsonEqual((await clean.ReadStateAsync()).ToJsonString(), await killed.ReadStateAsync());
        Assert.Equal(
            ["in/a.csv|1|ALPHA|False", "in/a.csv|2|beta|True", "in/a.csv|3|gamma|False", "in/b.csv|10|TEN|False",
             "in/b.csv|11|eleven|True", "in/b.csv|12|twelve|True", "in/b.csv|13|thirteen|False"],
            await DataAsync(killed));
    }

    [Fact]
    public async Task UpdateAsync_AnySync_KeepsTheSecretsOutOfLogsRunRecordsAndState()
    {
        var configuration = await store.CreateAsync();
        await store.PutAsync(configuration, "in/a.csv", CsvText.Rows((1, "alpha")));
        await using var harness = new ConnectorHarness(store.ConnectorName);
        await store.SetSecretsAsync(harness);

        var succeeded = await harness.RunAsync(store.CreateConnector(), configuration);
        await store.SetWrongSecretAsync(harness);
        var failed = await harness.RunAsync(store.CreateConnector(), configuration);

        RunAssert.Succeeded(succeeded);
        RunAssert.Failed(failed, store.RefusedCredentialError);
        await RunAssert.SecretKeptOutAsync(harness, store.Secret, succeeded, failed);
        await RunAssert.SecretKeptOutAsync(harness, store.WrongSecret, succeeded, failed);
    }

    private static JsonObject Files(JsonObject state) => state["files"]!.AsObject();

    // "... [2602] Reading in/b.csv at version ..." → in/b.csv
    private static string FileOf(string line)
    {
        var text = line[(line.IndexOf("] ", StringComparison.Ordinal) + 2)..];
        return text.Split(' ')[1].TrimEnd(':');
    }

    private static async Task<List<string>> DataAsync(ConnectorHarness harness) =>
        (await harness.RowsAsync(Data, "_file, int_value"))
        .Select(r => $"{r["_file"]}|{r["int_value"]}|{r["string_value"]}|{r[RunAssert.Deleted]}")
        .ToList();

    private static async Task<List<string>> RejectsAsync(ConnectorHarness harness) =>
        (await harness.RowsAsync(Rejects, "file, line, field"))
        .Select(r => $"{r["file"]}|{r["line"]}|{r["field"]}|{r["value"]}|{r["reason"]}")
        .ToList();
}
