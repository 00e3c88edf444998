using Microsoft.AspNetCore.Http;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Tributary.Sdk;
using Xunit;

namespace Tributary.Connectors.Tests.ApiPlayground;

/// <summary>
/// The tests every pagination example passes against the playground fake: 120 users, 50 a page, so three pages. A derived
/// class says which connector, which endpoint, what its requests must carry and how to pick out its second and third pages.
/// The examples have no credentials, so there is no revoked-credential or secret test.
/// </summary>
public abstract class PaginatedUsersConnectorTests
{
    private const int Users = 120;

    /// <summary>The registered name.</summary>
    protected abstract string ConnectorName { get; }

    /// <summary>The example's folder, for its sample configuration.</summary>
    protected abstract string Folder { get; }

    /// <summary>The endpoint's path, <c>/pagination/…</c>.</summary>
    protected abstract string Endpoint { get; }

    protected abstract Connector CreateConnector();

    /// <summary>Whether a request asks for page 2 (<paramref name="page"/> = 2) or 3 of a sync that started from scratch.</summary>
    protected abstract bool IsPage(HttpRequest request, int page);

    /// <summary>Checks the three requests of a first sync, in order.</summary>
    protected abstract void AssertFirstSyncRequests(IReadOnlyList<IReadOnlyDictionary<string, string>> queries);

    /// <summary>Checks the one request of an incremental sync that starts from <paramref name="cursor"/>.</summary>
    protected abstract void AssertIncrementalRequest(IReadOnlyDictionary<string, string> query, string cursor);

    [Fact]
    public async Task UpdateAsync_FirstThenIncrementalSync_ReadsAllPagesThenOnlyWhatChanged()
    {
        await using var playground = await ApiPlaygroundFake.StartAsync(new PlaygroundUsers(Users, ConnectorHarness.DefaultNow));
        await using var harness = new ConnectorHarness(ConnectorName);

        var first = await harness.RunAsync(CreateConnector(), Configuration(playground));

        RunAssert.Succeeded(first);
        Assert.Equal(Users, first.Tables["user"].Upserts);
        Assert.Equal(3, first.Checkpoints);
        AssertFirstSyncRequests([.. playground.Api.RequestsTo(Endpoint).Select(RequestQuery.Of)]);
        var newest = Newest(playground.Users);
        RunAssert.JsonEqual($$"""{"last_updated_at": "{{newest}}"}""", await harness.ReadStateAsync());
        await UserTable.AssertMatchesAsync(harness, playground.Users);

        harness.Time.Advance(TimeSpan.FromDays(1));
        var changed = playground.Users.Change(updated: 4, added: 3, at: harness.Time.GetUtcNow());
        playground.Api.ClearRequests();

        var second = await harness.RunAsync(CreateConnector(), Configuration(playground));

        RunAssert.Succeeded(second);
        AssertIncrementalRequest(RequestQuery.Of(Assert.Single(playground.Api.RequestsTo(Endpoint))), newest);

        // updated_since is inclusive: the newest user of the first sync comes again with the seven changed ones.
        Assert.Equal(changed.Count + 1, second.Tables["user"].Upserts);
        RunAssert.JsonEqual($$"""{"last_updated_at": "{{Newest(playground.Users)}}"}""", await harness.ReadStateAsync());
        Assert.Equal(Users + 3, playground.Users.Count);
        await UserTable.AssertMatchesAsync(harness, playground.Users);
    }

    [Fact]
    public async Task UpdateAsync_TooManyRequestsThenUnavailable_RetriesAndSyncsTheSameRows()
    {
        await using var playground = await ApiPlaygroundFake.StartAsync(new PlaygroundUsers(Users, ConnectorHarness.DefaultNow));
        await using var harness = new ConnectorHarness(ConnectorName);
        playground.Api.Inject(Fault.TooManyRequests(1), r => r.Path == Endpoint && IsPage(r, 2));
        playground.Api.Inject(Fault.Unavailable(), r => r.Path == Endpoint && IsPage(r, 3));

        var run = await harness.RunAsync(CreateConnector(), Configuration(playground));

        RunAssert.Succeeded(run);
        Assert.Equal(5, playground.Api.RequestsTo(Endpoint).Count);
        Assert.Equal(Users, run.Tables["user"].Upserts);
        RunAssert.JsonEqual($$"""{"last_updated_at": "{{Newest(playground.Users)}}"}""", await harness.ReadStateAsync());
        await UserTable.AssertMatchesAsync(harness, playground.Users);
    }

    [Fact]
    public async Task UpdateAsync_MalformedSecondPage_FailsNamingTheUrlKeepsTheFirstPageAndARerunConverges()
    {
        await using var playground = await ApiPlaygroundFake.StartAsync(new PlaygroundUsers(Users, ConnectorHarness.DefaultNow));
        await using var harness = new ConnectorHarness(ConnectorName);
        playground.Api.Inject(Fault.Malformed(), r => r.Path == Endpoint && IsPage(r, 2));

        var failed = await harness.RunAsync(CreateConnector(), Configuration(playground));

        RunAssert.Failed(failed, $"{playground.Api.BaseUri.AbsoluteUri.TrimEnd('/')}{Endpoint}?");
        Assert.Equal(1, failed.Checkpoints);
        Assert.Equal(50, (await harness.RowsAsync("user", "id")).Count);
        var lastOfFirstPage = playground.Users.UpdatedSince(DateTimeOffset.MinValue)[49].UpdatedAt;
        RunAssert.JsonEqual($$"""{"last_updated_at": "{{PlaygroundTime.Format(lastOfFirstPage)}}"}""", await harness.ReadStateAsync());

        var rerun = await harness.RunAsync(CreateConnector(), Configuration(playground));

        RunAssert.Succeeded(rerun);
        await UserTable.AssertMatchesAsync(harness, playground.Users);
        RunAssert.JsonEqual($$"""{"last_updated_at": "{{Newest(playground.Users)}}"}""", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_BaseUrlNotAUrl_FailsNamingTheKey()
    {
        await using var harness = new ConnectorHarness(ConnectorName);

        var run = await harness.RunAsync(CreateConnector(), new Dictionary<string, string> { ["base_url"] = "not a url" });

        RunAssert.Failed(run, "Configuration key 'base_url' must be an absolute URI; got 'not a url'.");
        Assert.Empty(await harness.ReadStateAsync());
    }

    private Dictionary<string, string> Configuration(ApiPlaygroundFake playground)
    {
        var configuration = SampleConfiguration.Read(Folder);
        configuration["base_url"] = playground.Api.BaseUri.AbsoluteUri;
        configuration["http_retry_delay_ms"] = "1";
        return configuration;
    }

    private static string Newest(PlaygroundUsers users) => PlaygroundTime.Format(users.UpdatedSince(DateTimeOffset.MinValue)[^1].UpdatedAt);
}
