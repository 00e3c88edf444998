using System.Globalization;
using Microsoft.AspNetCore.Http;
using Tributary.Connectors.NextPageUrlPagination;
using Tributary.Connectors.Tests.ApiPlayground;
using Tributary.Sdk;
using Xunit;

namespace Tributary.Connectors.Tests.NextPageUrlPagination;

/// <summary>The first request carries the parameters; each next one is the <c>next_page_url</c> the last response gave.</summary>
public sealed class NextPageUrlPaginationConnectorTests : PaginatedUsersConnectorTests
{
    protected override string ConnectorName => "next_page_url_pagination";

    protected override string Folder => "NextPageUrlPagination";

    protected override string Endpoint => "/pagination/next_page_url";

    protected override Connector CreateConnector() => new NextPageUrlPaginationConnector();

    protected override bool IsPage(HttpRequest request, int page) => request.Query["page"] == page.ToString(CultureInfo.InvariantCulture);

    protected override void AssertFirstSyncRequests(IReadOnlyList<IReadOnlyDictionary<string, string>> queries)
    {
        // The first request names no page; the next URLs the API gave do, and keep every other parameter.
        Assert.Equal(["", "2", "3"], queries.Select(q => q.TryGetValue("page", out var page) ? page : ""));
        Assert.All(queries, q =>
        {
            Assert.Equal("50", q["per_page"]);
            Assert.Equal("updatedAt", q["order_by"]);
            Assert.Equal("asc", q["order_type"]);
            Assert.Equal("0001-01-01T00:00:00Z", q["updated_since"]);
        });
    }

    protected override void AssertIncrementalRequest(IReadOnlyDictionary<string, string> query, string cursor)
    {
        Assert.Equal(cursor, query["updated_since"]);
        Assert.False(query.ContainsKey("page"));
    }
}
