using Tributary.Azure.Queue;
using Tributary.Azure.Tests.Support;

namespace Tributary.Azure.Tests.Queue;

[Collection(AzuriteCollection.Name)]
public sealed class SyncClaimsTests(AzuriteFixture azurite)
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly SyncClaims _claims = Create(azurite, "claims-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task TryClaimAsync_ContinuationLeftClaimedByLostRun_TakenOverAndOldCompletionRefused()
    {
        var (dead, _) = await _claims.TryClaimAsync("hello", "sync-1", 0, epoch: 1, Ct);

        var (takeover, duplicate) = await _claims.TryClaimAsync("hello", "sync-1", 0, epoch: 2, Ct);

        Assert.Null(duplicate);
        Assert.Null(await _claims.CompleteAsync(dead!, continues: true, Ct));   // the run that lost its lease is superseded
        Assert.NotNull(await _claims.CompleteAsync(takeover!, continues: true, Ct));
        var done = await _claims.FindDoneAsync("hello", "sync-1", 0, Ct);
        Assert.Equal((0, true, true, false, 2L), (done!.Continuation, done.Completed, done.Continues, done.Queued, done.Epoch));
    }

    [Fact]
    public async Task TryClaimAsync_CompletedOrSupersededContinuation_IsDuplicate()
    {
        var (first, _) = await _claims.TryClaimAsync("hello", "sync-2", 0, epoch: 1, Ct);
        await _claims.CompleteAsync(first!, continues: true, Ct);
        var (second, _) = await _claims.TryClaimAsync("hello", "sync-2", 1, epoch: 2, Ct);

        var (again, done) = await _claims.TryClaimAsync("hello", "sync-2", 0, epoch: 3, Ct);

        Assert.NotNull(second);
        Assert.Null(again);
        Assert.Equal(1, done!.Continuation);
        Assert.NotNull(await _claims.FindDoneAsync("hello", "sync-2", 0, Ct));
        Assert.Null(await _claims.FindDoneAsync("hello", "sync-2", 1, Ct));   // claimed, not completed: may still have to run
        Assert.Null(await _claims.FindDoneAsync("hello", "other-sync", 0, Ct));
    }

    [Fact]
    public async Task MarkQueuedAsync_CompletedContinuation_NotedOnce()
    {
        var (claim, _) = await _claims.TryClaimAsync("hello", "sync/with:odd chars", 0, epoch: 1, Ct);
        await _claims.CompleteAsync(claim!, continues: true, Ct);
        var completed = await _claims.FindDoneAsync("hello", "sync/with:odd chars", 0, Ct);

        await _claims.MarkQueuedAsync("hello", "sync/with:odd chars", completed!, Ct);
        await _claims.MarkQueuedAsync("hello", "sync/with:odd chars", completed!, Ct);   // stale ETag: ignored

        Assert.True((await _claims.FindDoneAsync("hello", "sync/with:odd chars", 0, Ct))!.Queued);
    }

    [Fact]
    public async Task CompleteAsync_SyncEnded_TagsItsBlobForTheLifecyclePolicyAndNoLiveSyncsBlob()
    {
        var container = "claims-" + Guid.NewGuid().ToString("N")[..12];
        var claims = Create(azurite, container);
        var (first, _) = await claims.TryClaimAsync("hello", "ended", 0, epoch: 1, Ct);
        await claims.CompleteAsync(first!, continues: true, Ct);
        Assert.Equal("none", await RetentionTagAsync(container, "ended"));   // its next continuation is queued
        var (last, _) = await claims.TryClaimAsync("hello", "ended", 1, epoch: 2, Ct);
        Assert.Equal("none", await RetentionTagAsync(container, "ended"));   // running
        await claims.TryClaimAsync("hello", "live", 0, epoch: 3, Ct);

        await claims.CompleteAsync(last!, continues: false, Ct);

        Assert.Equal("sync", await RetentionTagAsync(container, "ended"));
        Assert.Equal("none", await RetentionTagAsync(container, "live"));
    }

    private async Task<string> RetentionTagAsync(string container, string syncId)
    {
        var blob = azurite.CreateBlobServiceClient().GetBlobContainerClient(container).GetBlobClient($"connectors/hello/syncs/{syncId}.json");
        var tags = (await blob.GetTagsAsync(cancellationToken: Ct)).Value.Tags;
        return tags.TryGetValue("tributary-retention", out var value) ? value : "none";
    }

    private static SyncClaims Create(AzuriteFixture azurite, string container)
    {
        var client = azurite.CreateBlobServiceClient().GetBlobContainerClient(container);
        client.CreateIfNotExists();
        return new SyncClaims(client);
    }
}
