using Microsoft.AspNetCore.WebUtilities;
using Tributary.Connectors.Tests.Sources;

namespace Tributary.Connectors.Tests.ApiPlayground;

/// <summary>A captured request's query parameters, decoded.</summary>
internal static class RequestQuery
{
    public static IReadOnlyDictionary<string, string> Of(CapturedRequest request)
    {
        var query = request.PathAndQuery.IndexOf('?', StringComparison.Ordinal) is var at and >= 0 ? request.PathAndQuery[at..] : "";
        return QueryHelpers.ParseQuery(query).ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
    }

    /// <summary>The request's path without its query.</summary>
    public static string PathOf(CapturedRequest request) => request.PathAndQuery.Split('?')[0];
}
