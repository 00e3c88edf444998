using Azure.Storage.Blobs;
using Microsoft.Extensions.Time.Testing;
using Tributary.Azure.Tests.Support;
using Tributary.Azure.Webhooks;

namespace Tributary.Azure.Tests.Webhooks;

[Collection(AzuriteCollection.Name)]
public sealed class WebhookDeliveryLogTests(AzuriteFixture azurite)
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly string _container = "state-" + Guid.NewGuid().ToString("N")[..12];
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));

    private BlobContainerClient Container => azurite.CreateBlobServiceClient().GetBlobContainerClient(_container);

    private WebhookDeliveryLog NewLog() => new(Container, TimeSpan.FromMinutes(5), _time);

    private DateTimeOffset InFiveMinutes => _time.GetUtcNow().AddMinutes(5);

    [Fact]
    public async Task TryClaimAsync_SameIdTwiceOnTwoInstances_SecondRefused()
    {
        Assert.NotNull(await NewLog().TryClaimAsync("hello", "msg_1", InFiveMinutes, Ct));

        Assert.Null(await NewLog().TryClaimAsync("hello", "msg_1", InFiveMinutes, Ct));
        Assert.NotNull(await NewLog().TryClaimAsync("hello", "msg_2", InFiveMinutes, Ct));
        Assert.NotNull(await NewLog().TryClaimAsync("other", "msg_1", InFiveMinutes, Ct));
    }

    [Fact]
    public async Task TryClaimAsync_ManyAtOnce_ExactlyOneWins()
    {
        var logs = Enumerable.Range(0, 8).Select(_ => NewLog()).ToList();

        var claims = await Task.WhenAll(logs.Select(log => log.TryClaimAsync("hello", "msg_race", InFiveMinutes, Ct)));

        Assert.Single(claims, claim => claim is not null);
    }

    [Fact]
    public async Task ReleaseAsync_ClaimReleased_IdCanBeClaimedAgain()
    {
        var claim = (await NewLog().TryClaimAsync("hello", "msg_1", InFiveMinutes, Ct))!;

        await claim.ReleaseAsync(Ct);

        Assert.NotNull(await NewLog().TryClaimAsync("hello", "msg_1", InFiveMinutes, Ct));
    }

    [Fact]
    public async Task TryClaimAsync_ExpiredClaim_IsTakenOver()
    {
        var log = NewLog();
        await log.TryClaimAsync("hello", "msg_1", InFiveMinutes, Ct);

        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.NotNull(await log.TryClaimAsync("hello", "msg_1", InFiveMinutes, Ct));
        Assert.Null(await log.TryClaimAsync("hello", "msg_1", InFiveMinutes, Ct));
    }

    [Fact]
    public async Task TryClaimAsync_OncePruneIntervalPassed_DeletesExpiredClaimsOnly()
    {
        var log = NewLog();
        for (var i = 0; i < 5; i++)
        {
            await log.TryClaimAsync("hello", "old_" + i, _time.GetUtcNow().AddMinutes(1), Ct);
        }

        _time.Advance(TimeSpan.FromMinutes(6));
        await log.TryClaimAsync("hello", "new", InFiveMinutes, Ct);

        var left = new List<string>();
        await foreach (var blob in Container.GetBlobsAsync(new global::Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = WebhookDeliveryLog.Prefix + "hello/" }))
        {
            left.Add(blob.Name);
        }

        Assert.Single(left);
    }
}
