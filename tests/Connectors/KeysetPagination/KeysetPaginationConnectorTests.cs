using Microsoft.AspNetCore.Http;
using Tributary.Connectors.KeysetPagination;
using Tributary.Connectors.Tests.ApiPlayground;
using Tributary.Sdk;
using Xunit;

namespace Tributary.Connectors.Tests.KeysetPagination;

/// <summary>The first request carries <c>updated_since</c>; each next one the <c>scroll_param</c> the last response gave.</summary>
public sealed class KeysetPaginationConnectorTests : PaginatedUsersConnectorTests
{
    private readonly Dictionary<int, string> _scrollTokens = [];

    protected override string ConnectorName => "keyset_pagination";

    protected override string Folder => "KeysetPagination";

    protected override string Endpoint => "/pagination/keyset";

    protected override Connector CreateConnector() => new KeysetPaginationConnector();

    // Page 2 is the first request that scrolls, page 3 the second: the fake serves faults to the next matching requests,
    // so "scrolls, and is not the token of page 2 when page 3 is asked for" picks them out.
    protected override bool IsPage(HttpRequest request, int page)
    {
        var token = request.Query["scroll_param"].ToString();
        if (token.Length == 0)
        {
            return false;
        }

        lock (_scrollTokens)
        {
            if (!_scrollTokens.ContainsValue(token))
            {
                _scrollTokens[_scrollTokens.Count + 2] = token;
            }

            return _scrollTokens.TryGetValue(page, out var expected) && expected == token;
        }
    }

    protected override void AssertFirstSyncRequests(IReadOnlyList<IReadOnlyDictionary<string, string>> queries)
    {
        Assert.Equal(3, queries.Count);
        Assert.Equal("0001-01-01T00:00:00Z", queries[0]["updated_since"]);
        Assert.False(queries[0].ContainsKey("scroll_param"));
        Assert.All(queries.Skip(1), q => Assert.NotEmpty(q["scroll_param"]));
        Assert.NotEqual(queries[1]["scroll_param"], queries[2]["scroll_param"]);
    }

    protected override void AssertIncrementalRequest(IReadOnlyDictionary<string, string> query, string cursor)
    {
        Assert.Equal(cursor, query["updated_since"]);
        Assert.False(query.ContainsKey("scroll_param"));
    }
}
