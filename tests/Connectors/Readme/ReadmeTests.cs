using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using MyConnectors;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Tributary.Testing;
using Xunit;

namespace Tributary.Connectors.Tests.Readme;

/// <summary>The README's connector compiles (it is this project's OrdersConnector.cs) and does what the README says.</summary>
public sealed class ReadmeTests
{
    [Fact]
    public void Readme_WritingAConnector_ShowsOrdersConnectorVerbatim()
    {
        var source = File.ReadAllText(Path.Combine(RepositoryRoot.Location, "tests", "Connectors", "Readme", "OrdersConnector.cs"));
        var start = source.IndexOf("// readme-snippet-start", StringComparison.Ordinal);
        var end = source.IndexOf("// readme-snippet-end", StringComparison.Ordinal);
        var snippet = source[(source.IndexOf('\n', start) + 1)..end].Trim();

        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Location, "README.md"));

        Assert.Contains("```csharp\n" + snippet + "\n```", readme, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OrdersConnector_TwoSyncs_ReadsEveryPageThenOnlyWhatChanged()
    {
        var orders = new List<Order>
        {
            new(1, "ada", 12.5m, "2024-03-01T00:00:00Z"),
            new(2, "grace", 7m, "2024-03-02T00:00:00Z"),
            new(3, "edsger", 3.25m, "2024-03-03T00:00:00Z"),
        };
        await using var source = await StartSourceAsync(orders);
        await using var harness = new ConnectorHarness("orders");
        await harness.SetSecretAsync("api_token", Token);
        var configuration = new Dictionary<string, string> { ["base_url"] = source.BaseUri.ToString() };

        var first = await harness.RunAsync(new OrdersConnector(), configuration);
        orders.Add(new Order(2, "grace", 9.75m, "2024-03-04T00:00:00Z"));
        source.ClearRequests();
        var second = await harness.RunAsync(new OrdersConnector(), configuration);

        RunAssert.Succeeded(first);
        RunAssert.Succeeded(second);
        var rows = await harness.RowsAsync("orders", "id");
        Assert.Equal(["ada", "grace", "edsger"], rows.Select(r => r["customer"]));
        Assert.Equal(9.75m, Convert.ToDecimal(rows[1]["total"], CultureInfo.InvariantCulture));
        Assert.Equal("decimal(12,2)", (await harness.ColumnTypesAsync("orders"))["total"]);
        RunAssert.JsonEqual("""{"UpdatedSince":"2024-03-04T00:00:00Z"}""", await harness.ReadStateAsync());
        Assert.Equal(["/orders?updated_since=2024-03-03T00%3A00%3A00Z"], source.Requests.Select(r => r.PathAndQuery));
        Assert.All(source.Requests, r => Assert.Equal("Bearer " + Token, r.Headers["authorization"]));
        Assert.DoesNotContain(harness.Logs.Lines, line => line.Contains(Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task OrdersConnector_RevokedToken_FailsNamingTheRequestAndKeepsTheState()
    {
        await using var source = await StartSourceAsync([new Order(1, "ada", 1m, "2024-03-01T00:00:00Z")]);
        await using var harness = new ConnectorHarness("orders");
        await harness.SetSecretAsync("api_token", "revoked-token");

        var run = await harness.RunAsync(new OrdersConnector(), new Dictionary<string, string> { ["base_url"] = source.BaseUri.ToString() });

        RunAssert.Failed(run, "answered 401 Unauthorized: the source refused the connection's credentials");
        Assert.DoesNotContain("revoked-token", run.Error, StringComparison.Ordinal);
        Assert.Empty(await harness.ReadStateAsync());
    }

    private const string Token = "tok_live_0123456789";

    private sealed record Order(long Id, string Customer, decimal Total, string UpdatedAt);

    // Orders changed since updated_since, oldest first, two a page behind an `after` cursor; a bearer token required.
    private static Task<FakeApi> StartSourceAsync(List<Order> orders) => FakeApi.StartAsync(app => app.MapGet("/orders", (HttpContext context, string updated_since, int? after) =>
    {
        if (context.Request.Headers.Authorization != "Bearer " + Token)
        {
            return Results.Json(new { error = "invalid_token" }, statusCode: 401);
        }

        var changed = orders.GroupBy(o => o.Id).Select(g => g.Last()).Where(o => string.CompareOrdinal(o.UpdatedAt, updated_since) > 0).OrderBy(o => o.UpdatedAt, StringComparer.Ordinal).ToList();
        var page = changed.Skip(after ?? 0).Take(2).Select(o => new { id = o.Id, customer = o.Customer, total = o.Total, updated_at = o.UpdatedAt }).ToList();
        var next = (after ?? 0) + 2 < changed.Count ? ((after ?? 0) + 2).ToString(CultureInfo.InvariantCulture) : null;
        return Results.Json(new { data = page, next });
    }));
}
