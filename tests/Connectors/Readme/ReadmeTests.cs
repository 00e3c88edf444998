using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using MyConnectors;
using Tributary.Connectors.Tests.Support;
using Tributary.Runtime.State;
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
    public async Task OrdersConnector_AgainstAnHttpSource_UpsertsOrdersAndMovesTheCursor()
    {
        await using var source = await StartSourceAsync();
        await using var harness = new ConnectorHarness("orders");

        var run = await harness.RunAsync(new OrdersConnector(), new Dictionary<string, string> { ["base_url"] = source.Urls.First() + "/" });

        Assert.True(run.Outcome == RunOutcome.Succeeded, run.Error);
        var rows = await harness.RowsAsync("orders", "id");
        Assert.Equal(2, rows.Count);
        Assert.Equal("ada", rows[0]["customer"]);
        Assert.Equal(12.50m, Convert.ToDecimal(rows[0]["total"], CultureInfo.InvariantCulture));
        Assert.Equal("decimal(12,2)", (await harness.ColumnTypesAsync("orders"))["total"]);
        Assert.Equal("2024-03-02T00:00:00Z", (await harness.ReadStateAsync())["cursor"]!.GetValue<string>());
    }

    private static async Task<WebApplication> StartSourceAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/orders", (HttpContext context) => Results.Json(new[]
        {
            new { id = 1, customer = "ada", total = 12.5m, updatedAt = "2024-03-01T00:00:00Z" },
            new { id = 2, customer = "grace", total = 7m, updatedAt = "2024-03-02T00:00:00Z" },
        }));
        await app.StartAsync();
        return app;
    }
}
