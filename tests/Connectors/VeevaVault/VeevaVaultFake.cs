using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tributary.Connectors.Tests.Sources;

namespace Tributary.Connectors.Tests.VeevaVault;

/// <summary>One Vault object record.</summary>
public sealed record FakeVaultRecord(string Id, string Name, DateTimeOffset ModifiedDate, string[] Countries);

/// <summary>
/// A fake of the Vault REST API (https://developer.veevavault.com/api/24.2/): <c>POST /api/{version}/auth</c> with a
/// form's username and password answering a <c>sessionId</c>; that id, bare or after <c>Bearer</c>, in
/// <c>Authorization</c>; <c>GET configuration/Objecttype</c>; VQL by <c>POST query</c> (<c>q</c> in a form) and the
/// following pages by <c>GET</c> of <c>responseDetails.next_page</c>. As the real Vault does, it answers errors with
/// HTTP 200 and <c>{"responseStatus": "FAILURE", "errors": [{"type": "INVALID_SESSION_ID", ...}]}</c>, and sends the
/// burst-limit headers.
/// </summary>
public sealed partial class VeevaVaultFake : IAsyncDisposable
{
    private const string Version = "v24.2";
    private readonly ConcurrentDictionary<string, bool> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (List<FakeVaultRecord> Result, string Fields)> _queries = new(StringComparer.Ordinal);
    private int _sequence;

    private VeevaVaultFake(FakeApi api) => Api = api;

    public FakeApi Api { get; }

    public string UserName { get; } = "integration@veevapharm.com";

    /// <summary>The password the fake accepts; change it to revoke the connection's.</summary>
    public string Password { get; set; } = "Vault-Pa55word-0123456789";

    /// <summary>Records of <c>product__v</c>, by id.</summary>
    public ConcurrentDictionary<string, FakeVaultRecord> Products { get; } = new(StringComparer.Ordinal);

    /// <summary>Records of <c>country__v</c>, by id.</summary>
    public ConcurrentDictionary<string, FakeVaultRecord> Countries { get; } = new(StringComparer.Ordinal);

    /// <summary>Session ids handed out so far.</summary>
    public IReadOnlyCollection<string> SessionIds => [.. _sessions.Keys];

    public static async Task<VeevaVaultFake> StartAsync()
    {
        VeevaVaultFake? fake = null;
        var api = await FakeApi.StartAsync(app =>
        {
            app.MapPost($"/api/{Version}/auth", (HttpRequest request) => fake!.AuthAsync(request));
            app.MapGet($"/api/{Version}/configuration/Objecttype", (HttpContext http) => fake!.Authorized(http, fake.ObjectTypes));
            app.MapPost($"/api/{Version}/query", (HttpContext http) => fake!.Authorized(http, () => fake.Query(http.Request)));
            app.MapGet($"/api/{Version}/query/{{queryId}}", (HttpContext http, string queryId) => fake!.Authorized(http, () => fake.NextPage(http.Request, queryId)));
        });
        fake = new VeevaVaultFake(api);
        return fake;
    }

    /// <summary>Ends every session, as Vault does after a period of inactivity.</summary>
    public void ExpireSessions() => _sessions.Clear();

    public ValueTask DisposeAsync() => Api.DisposeAsync();

    private async Task<IResult> AuthAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        if (form["username"] != UserName || form["password"] != Password)
        {
            return Failure("USERNAME_OR_PASSWORD_INCORRECT", $"Authentication failed for user: {form["username"]}.");
        }

        var sessionId = Guid.NewGuid().ToString("N").ToUpperInvariant() + Guid.NewGuid().ToString("N").ToUpperInvariant();
        _sessions[sessionId] = true;
        return Results.Json(new JsonObject
        {
            ["responseStatus"] = "SUCCESS",
            ["sessionId"] = sessionId,
            ["userId"] = 12021,
            ["vaultIds"] = new JsonArray(new JsonObject { ["id"] = 1776, ["name"] = "PromoMats", ["url"] = $"{Api.BaseUri}api" }),
            ["vaultId"] = 1776,
        });
    }

    private IResult Authorized(HttpContext http, Func<IResult> answer)
    {
        var header = http.Request.Headers.Authorization.ToString();
        var sessionId = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : header;
        if (!_sessions.ContainsKey(sessionId))
        {
            return Failure("INVALID_SESSION_ID", "Invalid or expired session ID.");
        }

        http.Response.Headers["X-VaultAPI-BurstLimit"] = "2000";
        http.Response.Headers["X-VaultAPI-BurstLimitRemaining"] = "1999";
        return answer();
    }

    private IResult ObjectTypes()
    {
        static JsonObject Type(string objectName, string typeName, params string[] fields) => new()
        {
            ["name"] = typeName,
            ["object"] = objectName,
            ["active"] = true,
            ["type_fields"] = new JsonArray([.. fields.Select(f => (JsonNode)new JsonObject { ["name"] = f, ["required"] = f == "id", ["source"] = "standard" })]),
        };

        // product__v has two object types whose fields overlap: the connector reads their union.
        return Results.Json(new JsonObject
        {
            ["responseStatus"] = "SUCCESS",
            ["data"] = new JsonArray(
                Type("product__v", "base__v", "id", "name__v", "modified_date__v"),
                Type("product__v", "drug__c", "id", "name__v", "countries__c", "modified_date__v"),
                Type("country__v", "base__v", "id", "name__v", "modified_date__v")),
        });
    }

    private IResult Query(HttpRequest request)
    {
        var q = request.Form["q"].ToString();
        var match = VqlPattern().Match(q);
        if (!match.Success)
        {
            return Failure("MALFORMED_URL", $"Unsupported VQL: {q}");
        }

        var records = match.Groups["object"].Value switch
        {
            "product__v" => Products.Values,
            "country__v" => Countries.Values,
            _ => null,
        };
        if (records is null)
        {
            return Failure("INVALID_DATA", $"Object [{match.Groups["object"].Value}] does not exist.");
        }

        var since = match.Groups["since"].Success
            ? DateTimeOffset.Parse(match.Groups["since"].Value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal)
            : DateTimeOffset.MinValue;
        var result = records.Where(r => r.ModifiedDate > since).OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
        var queryId = $"0000{Interlocked.Increment(ref _sequence)}-{Guid.NewGuid():N}";
        _queries[queryId] = (result, match.Groups["fields"].Value);
        return Page(queryId, result, int.Parse(match.Groups["size"].Value, CultureInfo.InvariantCulture), 0, match.Groups["fields"].Value);
    }

    private IResult NextPage(HttpRequest request, string queryId)
    {
        if (!_queries.TryGetValue(queryId, out var query))
        {
            return Failure("INVALID_DATA", "The query id is unknown or expired.");
        }

        return Page(
            queryId,
            query.Result,
            int.Parse(request.Query["pagesize"].ToString(), CultureInfo.InvariantCulture),
            int.Parse(request.Query["pageoffset"].ToString(), CultureInfo.InvariantCulture),
            query.Fields);
    }

    private static IResult Page(string queryId, List<FakeVaultRecord> result, int size, int offset, string fields)
    {
        var selected = fields.Split(',', StringSplitOptions.TrimEntries);
        var page = result.Skip(offset).Take(size).Select(r =>
        {
            var row = new JsonObject { ["id"] = r.Id, ["name__v"] = r.Name, ["modified_date__v"] = r.ModifiedDate.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) };
            if (selected.Contains("countries__c"))
            {
                row["countries__c"] = new JsonArray([.. r.Countries.Select(c => (JsonNode)c)]);
            }

            return (JsonNode)row;
        });
        var details = new JsonObject { ["pagesize"] = size, ["pageoffset"] = offset, ["size"] = Math.Min(size, Math.Max(0, result.Count - offset)), ["total"] = result.Count };
        if (offset + size < result.Count)
        {
            details["next_page"] = $"/api/{Version}/query/{queryId}?pagesize={size}&pageoffset={offset + size}";
        }

        if (offset > 0)
        {
            details["previous_page"] = $"/api/{Version}/query/{queryId}?pagesize={size}&pageoffset={Math.Max(0, offset - size)}";
        }

        return Results.Json(new JsonObject { ["responseStatus"] = "SUCCESS", ["responseDetails"] = details, ["data"] = new JsonArray([.. page]) });
    }

    // Vault answers errors with HTTP 200.
    private static IResult Failure(string type, string message) =>
        Results.Json(new JsonObject { ["responseStatus"] = "FAILURE", ["errors"] = new JsonArray(new JsonObject { ["type"] = type, ["message"] = message }) });

    [GeneratedRegex(@"^SELECT (?<fields>.+) FROM (?<object>\w+)(?: WHERE modified_date__v > '(?<since>[^']+)')? PAGESIZE (?<size>\d+)$", RegexOptions.IgnoreCase)]
    private static partial Regex VqlPattern();
}
