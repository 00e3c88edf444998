using System.Globalization;
using Microsoft.AspNetCore.Http;
using Tributary.Connectors.PageNumberPagination;
using Tributary.Connectors.Tests.ApiPlayground;
using Tributary.Sdk;
using Xunit;

namespace Tributary.Connectors.Tests.PageNumberPagination;

/// <summary><c>page</c> and <c>per_page</c> on every request; <c>total_pages</c> ends the sync.</summary>
public sealed class PageNumberPaginationConnectorTests : PaginatedUsersConnectorTests
{
    protected override string ConnectorName => "page_number_pagination";

    protected override string Folder => "PageNumberPagination";

    protected override string Endpoint => "/pagination/page_number";

    protected override Connector CreateConnector() => new PageNumberPaginationConnector();

    protected override bool IsPage(HttpRequest request, int page) => request.Query["page"] == page.ToString(CultureInfo.InvariantCulture);

    protected override void AssertFirstSyncRequests(IReadOnlyList<IReadOnlyDictionary<string, string>> queries)
    {
        Assert.Equal(["1", "2", "3"], queries.Select(q => q["page"]));
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
        Assert.Equal("1", query["page"]);
    }
}
