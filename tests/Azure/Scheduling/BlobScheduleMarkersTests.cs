using Tributary.Azure.Scheduling;
using Tributary.Azure.Tests.Support;

namespace Tributary.Azure.Tests.Scheduling;

/// <summary>The scheduler's marker per connection: a due time is claimed once, by one writer.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobScheduleMarkersTests(AzuriteFixture azurite)
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly DateTimeOffset Due = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);
    private readonly string _container = "state-" + Guid.NewGuid().ToString("N")[..12];

    private BlobScheduleMarkers NewMarkers() => new(azurite.CreateBlobServiceClient(), _container);

    [Fact]
    public async Task TryClaim_NoMarkYet_CreatesItInANewContainer()
    {
        var markers = NewMarkers();

        Assert.Null(await markers.ReadAsync("hello", Ct));
        var claimed = await markers.TryClaimAsync("hello", Due, "sync-1", null, Due, Ct);

        Assert.NotNull(claimed);
        var read = await markers.ReadAsync("hello", Ct);
        Assert.Equal((Due, "sync-1", claimed.ETag), (read!.DueAt, read.SyncId, read.ETag));
    }

    [Fact]
    public async Task TryClaim_TwoWritersFromOneRead_OnlyOneWins()
    {
        var (first, second) = (NewMarkers(), NewMarkers());
        await first.TryClaimAsync("hello", Due, "sync-1", null, Due, Ct);
        var read = await first.ReadAsync("hello", Ct);

        var claims = await Task.WhenAll(
            first.TryClaimAsync("hello", Due.AddMinutes(5), "sync-a", read, Due.AddMinutes(5), Ct),
            second.TryClaimAsync("hello", Due.AddMinutes(5), "sync-b", read, Due.AddMinutes(5), Ct));

        var winner = Assert.Single(claims, claim => claim is not null)!;
        Assert.Equal(winner.SyncId, (await first.ReadAsync("hello", Ct))!.SyncId);
    }

    [Fact]
    public async Task TryClaim_TwoFirstClaimsTogether_OnlyOneWins()
    {
        var claims = await Task.WhenAll(
            NewMarkers().TryClaimAsync("hello", Due, "sync-a", null, Due, Ct),
            NewMarkers().TryClaimAsync("hello", Due, "sync-b", null, Due, Ct));

        Assert.Single(claims, claim => claim is not null);
    }

    [Fact]
    public async Task Revert_AfterAClaim_PutsThePreviousMarkBackUnlessItMoved()
    {
        var markers = NewMarkers();
        var previous = await markers.TryClaimAsync("hello", Due, "sync-1", null, Due, Ct);
        var claimed = await markers.TryClaimAsync("hello", Due.AddMinutes(5), "sync-2", previous, Due, Ct);

        await markers.RevertAsync("hello", claimed!, previous, Ct);
        Assert.Equal(Due, (await markers.ReadAsync("hello", Ct))!.DueAt);

        await markers.RevertAsync("hello", claimed!, null, Ct);   // stale: the mark moved since, so it stays
        Assert.Equal(Due, (await markers.ReadAsync("hello", Ct))!.DueAt);
    }

    [Fact]
    public async Task Read_NotAConnectionId_Throws() =>
        await Assert.ThrowsAsync<ArgumentException>(() => NewMarkers().ReadAsync("Hello World", Ct));
}
