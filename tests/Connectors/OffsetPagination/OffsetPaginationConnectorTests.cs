using System.Globalization;
using Microsoft.AspNetCore.Http;
using Tributary.Connectors.OffsetPagination;
using Tributary.Connectors.Tests.ApiPlayground;
using Tributary.Sdk;
using Xunit;

namespace Tributary.Connectors.Tests.OffsetPagination;

/// <summary><c>offset</c> grows by <c>limit</c> from 0; <c>total</c> ends the sync.</summary>
public sealed class OffsetPaginationConnectorTests : PaginatedUsersConnectorTests
{
    protected override string ConnectorName => "offset_pagination";

    protected override string Folder => "OffsetPagination";

    protected override string Endpoint => "/pagination/offset";

    protected override Connector CreateConnector() => new OffsetPaginationConnector();

    protected override bool IsPage(HttpRequest request, int page) => request.Query["offset"] == ((page - 1) * 50).ToString(CultureInfo.InvariantCulture);

    protected override void AssertFirstSyncRequests(IReadOnlyList<IReadOnlyDictionary<string, string>> queries)
    {
        Assert.Equal(["0", "50", "100"], queries.Select(q => q["offset"]));
        Assert.All(queries, q =>
        {
            Assert.Equal("50", q["limit"]);
            Assert.Equal("updatedAt", q["order_by"]);
            Assert.Equal("asc", q["order_type"]);
            Assert.Equal("0001-01-01T00:00:00Z", q["updated_since"]);
        });
    }

    protected override void AssertIncrementalRequest(IReadOnlyDictionary<string, string> query, string cursor)
    {
        Assert.Equal(cursor, query["updated_since"]);
        Assert.Equal("0", query["offset"]);
    }
}
