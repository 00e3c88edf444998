using System.Text.Json.Nodes;
using Tributary.Connectors.Relational;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Tributary.Testing;
using Xunit;

namespace Tributary.Connectors.Tests.Relational;

/// <summary>The shared incremental reader against a real PostgreSQL: the keyset cursor over (replication key, primary key).</summary>
[Collection(PostgresSourceCollection.Name)]
public sealed class IncrementalTableReaderTests(PostgresFixture fixture)
{
    private const string Table = "events";
    private static readonly SourceTable Events = SourceTable.Named(Table, "public", ["changed_at"], ["stream", "seq"]);

    [Fact]
    public async Task ReadAsync_ManyRowsSharingOneReplicationKeyValue_ResumesInsideTheTieAndLosesNoRow()
    {
        await using var harness = new ConnectorHarness("reader");
        var source = await PostgresSource.CreateAsync(fixture, harness.CancellationToken);
        await harness.SetSecretAsync("password", source.Password);
        // 250 rows with one changed_at, composite keys (stream, seq) inserted out of order; pages of 40, a checkpoint every 70.
        await source.ExecuteAsync(
            """
            CREATE TABLE events (stream text NOT NULL, seq int NOT NULL, changed_at timestamptz NOT NULL, payload text, PRIMARY KEY (stream, seq));
            INSERT INTO events SELECT s, n, '2024-05-01T08:00:00Z', 'v1' FROM unnest(ARRAY['c', 'a', 'b']) AS s, generate_series(1, 84) AS n WHERE NOT (s = 'c' AND n > 82);
            """,
            harness.CancellationToken);
        var configuration = source.Configuration("KeyBasedReplication", ("batch_size", "40"), ("checkpoint_interval", "70"));

        // The first run dies on its 151st row: the checkpoints after rows 70 and 140 stand, both inside the tie.
        var killed = await harness.RunAsync(new ReaderConnector(Events, failAfterRows: 150), configuration);

        RunAssert.Failed(killed, "Killed after 150 rows.");
        Assert.Equal(2, killed.Checkpoints);
        RunAssert.JsonEqual(
            """{"events": {"replication_key": ["changed_at"], "bookmark": {"changed_at": "2024-05-01T08:00:00.0000000Z", "stream": "b", "seq": 56}}}""",
            await harness.ReadStateAsync());

        var rerun = await harness.RunAsync(new ReaderConnector(Events), configuration);

        RunAssert.Succeeded(rerun);
        Assert.Equal(110, rerun.Tables[Table].Upserts);
        var rows = await harness.RowsAsync(Table, "stream, seq");
        Assert.Equal(250, rows.Count);
        Assert.Equal(250, rows.Select(r => $"{r["stream"]}/{r["seq"]}").Distinct().Count());

        // Rows later given the same changed_at sort after the bookmark (c, 82) by their keys: the next sync reads just them.
        await source.ExecuteAsync("INSERT INTO events VALUES ('c', 83, '2024-05-01T08:00:00Z', 'v1'), ('d', 1, '2024-05-01T08:00:00Z', 'v1')", harness.CancellationToken);
        var next = await harness.RunAsync(new ReaderConnector(Events), configuration);

        RunAssert.Succeeded(next);
        Assert.Equal(2, next.Tables[Table].Upserts);
        var state = await harness.ReadStateAsync();
        Assert.Equal("d", (string?)state["events"]!["bookmark"]!["stream"]);
    }

    [Fact]
    public async Task ReadAsync_ReplicationKeyChangedInConfiguration_ReadsTheTableAgainFromTheStart()
    {
        await using var harness = new ConnectorHarness("reader");
        var source = await PostgresSource.CreateAsync(fixture, harness.CancellationToken);
        await harness.SetSecretAsync("password", source.Password);
        await source.ExecuteAsync(
            """
            CREATE TABLE events (stream text NOT NULL, seq int NOT NULL, changed_at timestamptz NOT NULL, version bigint NOT NULL DEFAULT 1, PRIMARY KEY (stream, seq));
            INSERT INTO events SELECT 'a', n, '2024-05-01T08:00:00Z' FROM generate_series(1, 5) AS n;
            """,
            harness.CancellationToken);
        var configuration = source.Configuration("KeyBasedReplication");
        RunAssert.Succeeded(await harness.RunAsync(new ReaderConnector(Events), configuration));

        var byVersion = SourceTable.Named(Table, "public", ["version"], ["stream", "seq"]);
        var run = await harness.RunAsync(new ReaderConnector(byVersion), configuration);

        RunAssert.Succeeded(run);
        Assert.Equal(5, run.Tables[Table].Upserts);
        Assert.Contains(harness.Logs.Lines, line => line.Contains("replication key of events changed", StringComparison.Ordinal));
        RunAssert.JsonEqual(
            """{"events": {"replication_key": ["version"], "bookmark": {"version": 1, "stream": "a", "seq": 5}}}""",
            await harness.ReadStateAsync());
    }

    [Fact]
    public async Task ReadAsync_ReplicationKeyColumnMissing_FailsNamingTableAndColumn()
    {
        await using var harness = new ConnectorHarness("reader");
        var source = await PostgresSource.CreateAsync(fixture, harness.CancellationToken);
        await harness.SetSecretAsync("password", source.Password);
        await source.ExecuteAsync("CREATE TABLE events (stream text, seq int, PRIMARY KEY (stream, seq))", harness.CancellationToken);

        var run = await harness.RunAsync(new ReaderConnector(Events), source.Configuration("KeyBasedReplication"));

        RunAssert.Failed(run, "Table \"public\".\"events\" in PostgreSQL at ");
        Assert.Contains("has no column 'changed_at'", run.Error, StringComparison.Ordinal);
        Assert.Empty(await harness.ReadStateAsync());
    }

    [Fact]
    public void BookmarkValues_EachKeyType_RoundTripsThroughJsonToTheColumnsType()
    {
        object[] values =
        [
            new DateTime(2024, 5, 1, 8, 0, 0, DateTimeKind.Utc).AddTicks(1234560),
            new DateTime(2024, 5, 1, 8, 0, 0, DateTimeKind.Unspecified),
            new DateTimeOffset(2024, 5, 1, 8, 0, 0, TimeSpan.FromHours(2)),
            new DateOnly(2024, 5, 1), 42, 42L, (short)7, 12.345m, 0.1d, "key", Guid.Parse("6f9619ff-8b86-d011-b42d-00c04fc964ff"), true,
        ];

        foreach (var value in values)
        {
            var json = JsonNode.Parse(BookmarkValues.ToJson(value).ToJsonString())!;
            var back = BookmarkValues.FromJson(json, value.GetType());
            Assert.Equal(value, back);
            Assert.Equal(value.GetType(), back.GetType());
            if (value is DateTime dt)
            {
                Assert.Equal(dt.Kind, ((DateTime)back).Kind);
            }
        }
    }
}
