namespace Tributary.Sdk.Testing.Tests;

/// <summary>The conformance checks pass a connector done right, and catch each mistake they are for with a message that names it.</summary>
public sealed class ConformanceTests
{
    private static readonly ConformanceOptions Options = new()
    {
        Secrets = new Dictionary<string, string> { ["api_key"] = "key-7f3a9c" },
        MaxOperationsBetweenCheckpoints = 10,
    };

    [Fact]
    public async Task CheckAsync_IncrementalConnectorDoneRight_Passes()
    {
        await Conformance.CheckAsync(() => new ItemsConnector(), Options);
    }

    [Fact]
    public async Task CheckAsync_StateSavedBeforeItsRows_FailsNamingStateAheadOfData()
    {
        var error = await Assert.ThrowsAsync<ConnectorAssertionException>(() => Conformance.CheckAsync(() => new StateAheadConnector(), Options));

        Assert.StartsWith("Conformance check 'replay from every checkpoint' failed: a sync stopped right after checkpoint 1 of 7 and rerun from checkpoint 1's state {\"next_page\":1} does not end with the tables of an uninterrupted sync", error.Message, StringComparison.Ordinal);
        Assert.Contains("table 'items' lacks 4 rows (first: _tributary_deleted=False|id=1|name=item 1)", error.Message, StringComparison.Ordinal);
        Assert.Contains("the state is ahead of the data. Checkpoint only after emitting every row the state covers.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_CursorReadsOnlyNewerRows_FailsNamingTheSkippingCursor()
    {
        var error = await Assert.ThrowsAsync<ConnectorAssertionException>(() => Conformance.CheckAsync(() => new CursorSkipsConnector(), Options));

        Assert.StartsWith("Conformance check 'replay from every checkpoint' failed: a sync stopped right after checkpoint 1 of 7 and rerun", error.Message, StringComparison.Ordinal);
        Assert.Contains("table 'items' lacks 2 rows (first: _tributary_deleted=False|id=5|", error.Message, StringComparison.Ordinal);
        Assert.Contains("the cursor skips rows. Resume from the first row the state does not cover", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_SecretEncodedIntoState_FailsNamingTheSecret()
    {
        var error = await Assert.ThrowsAsync<ConnectorAssertionException>(() => Conformance.CheckAsync(() => new SecretInStateConnector(), Options));

        Assert.StartsWith("Conformance check 'secrets kept out' failed: secret 'api_key' is in the saved state (base64-encoded)", error.Message, StringComparison.Ordinal);
        Assert.Contains("Keep secrets in the secret store", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_NeverCheckpoints_FailsNamingIt()
    {
        var error = await Assert.ThrowsAsync<ConnectorAssertionException>(() => Conformance.CheckAsync(() => new NeverCheckpointsConnector(), Options));

        Assert.Equal(
            "Conformance check 'checkpoints often' failed: the sync emitted 25 operations and never checkpointed. Call CheckpointAsync with the cursor after each page or batch: without a checkpoint a failed or paused sync starts over, and a time budget can never pause it.",
            error.Message);
    }

    [Fact]
    public async Task CheckAsync_MoreOperationsBetweenCheckpointsThanAllowed_FailsNamingTheLimit()
    {
        var error = await Assert.ThrowsAsync<ConnectorAssertionException>(() =>
            Conformance.CheckAsync(() => new ItemsConnector(), new ConformanceOptions { MaxOperationsBetweenCheckpoints = 3 }));

        Assert.StartsWith("Conformance check 'checkpoints often' failed: the sync emitted more than 3 operations before its first checkpoint without another.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_ValueFromTheClock_FailsTheSecondSync()
    {
        var error = await Assert.ThrowsAsync<ConnectorAssertionException>(() => Conformance.CheckAsync(() => new ClockInRowsConnector(), Options));

        Assert.StartsWith("Conformance check 'two syncs in a row' failed: the second sync, started from the first's state an hour later over an unchanged source, changed the tables: table 'items' lacks 1 row (first: _tributary_deleted=False|fetched_at=2024-09-15T12:00:00.0000000+00:00|id=25|", error.Message, StringComparison.Ordinal);
        Assert.Contains("does a value depend on the clock", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_RowsWithoutTheDeclaredKey_FailsNamingTheColumn()
    {
        var error = await Assert.ThrowsAsync<ConnectorAssertionException>(() => Conformance.CheckAsync(() => new KeylessRowsConnector(), Options));

        Assert.StartsWith("Conformance check 'schema agrees' failed: table 'items' declares primary key (id), but operation 1 (Upsert items {\"item_id\":1,\"name\":\"item 1\"}) has no value for 'id'.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_DeleteNamingAColumnOutsideTheKey_FailsNamingTheColumn()
    {
        var error = await Assert.ThrowsAsync<ConnectorAssertionException>(() => Conformance.CheckAsync(() => new DeleteByMoreThanTheKeyConnector(), Options));

        Assert.Equal(
            "Conformance check 'schema agrees' failed: delete 2 on table 'items' (Delete items {\"id\":1,\"name\":\"item 1\"}) names 'name', which is not part of its declared primary key (id). A delete gives exactly the key columns.",
            error.Message);
    }
}
