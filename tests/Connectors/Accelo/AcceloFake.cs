using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tributary.Connectors.Tests.Sources;

namespace Tributary.Connectors.Tests.Accelo;

/// <summary>
/// A fake of Accelo's API (https://api.accelo.com/docs/): <c>POST /oauth2/v0/token</c> with
/// <c>grant_type=client_credentials</c> and the client's credentials in HTTP Basic (or the form); resources at
/// <c>GET /api/v0/{resource}</c> with a Bearer token, <c>_fields</c>, <c>_filters=&lt;field&gt;_after(unix)</c>,
/// <c>_order_by</c>, <c>_limit</c> (at most 100) and a zero-based <c>_page</c>; answers as <c>{"meta": {...}, "response": [...]}</c>
/// with numbers as strings and dates as Unix seconds. It counts the requests it serves at once.
/// </summary>
public sealed partial class AcceloFake : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, bool> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Now, int Max)> _inFlight = new(StringComparer.Ordinal);   // by resource

    private AcceloFake(FakeApi api) => Api = api;

    public FakeApi Api { get; }

    public string ClientId { get; } = "accelo-client-4711";

    /// <summary>The client secret the fake accepts; change it to revoke the connection's.</summary>
    public string ClientSecret { get; set; } = "accelo-secret-0123456789abcdef";

    /// <summary>Records by resource name; each a JSON object of strings, as Accelo sends them.</summary>
    public ConcurrentDictionary<string, ConcurrentDictionary<long, JsonObject>> Resources { get; } = new(StringComparer.Ordinal);

    /// <summary>How long each resource request takes, so concurrent ones overlap.</summary>
    public TimeSpan Latency { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// The most requests for <paramref name="resource"/> the fake was serving at one moment. Counted by resource: a request
    /// the client abandoned (a page past the last) is still served for a moment while the next resource's requests start.
    /// </summary>
    public int MaxConcurrentRequests(string resource)
    {
        lock (_inFlight)
        {
            return _inFlight.GetValueOrDefault(resource).Max;
        }
    }

    /// <summary>Access tokens issued so far.</summary>
    public IReadOnlyCollection<string> Tokens => [.. _tokens.Keys];

    public static async Task<AcceloFake> StartAsync()
    {
        AcceloFake? fake = null;
        var api = await FakeApi.StartAsync(app =>
        {
            app.MapPost("/oauth2/v0/token", (HttpRequest request) => fake!.TokenAsync(request));
            app.MapGet("/api/v0/{resource}", (HttpRequest request, string resource) => fake!.ResourceAsync(request, resource));
        });
        fake = new AcceloFake(api);
        return fake;
    }

    /// <summary>Adds or replaces a record of <paramref name="resource"/>.</summary>
    public void Put(string resource, long id, DateTimeOffset modified, params (string Field, string Value)[] fields)
    {
        var record = new JsonObject
        {
            ["id"] = id.ToString(CultureInfo.InvariantCulture),
            ["date_modified"] = modified.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["date_created"] = modified.AddDays(-30).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (field, value) in fields)
        {
            record[field] = value;
        }

        Resources.GetOrAdd(resource, _ => new())[id] = record;
    }

    /// <summary>Forgets every access token issued, as a revoked grant would.</summary>
    public void RevokeTokens() => _tokens.Clear();

    public ValueTask DisposeAsync() => Api.DisposeAsync();

    private async Task<IResult> TokenAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        string? id = form["client_id"], secret = form["client_secret"];
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Basic ", StringComparison.Ordinal))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..])).Split(':', 2);
            (id, secret) = (Uri.UnescapeDataString(pair[0]), Uri.UnescapeDataString(pair[1]));
        }

        if (form["grant_type"] != "client_credentials")
        {
            return Results.Json(new JsonObject { ["error"] = "unsupported_grant_type" }, statusCode: 400);
        }

        if (id != ClientId || secret != ClientSecret)
        {
            return Results.Json(new JsonObject { ["error"] = "invalid_client", ["error_description"] = "Client authentication failed." }, statusCode: 401);
        }

        var token = Convert.ToHexString(Guid.NewGuid().ToByteArray()).ToLowerInvariant();
        _tokens[token] = true;
        return Results.Json(new JsonObject
        {
            ["access_token"] = token,
            ["token_type"] = "bearer",
            ["expires_in"] = 2592000,
            ["scope"] = form["scope"].ToString(),
            ["deployment"] = "acme",
            ["deployment_name"] = "Acme Consulting",
            ["deployment_uri"] = "acme.accelo.com",
        });
    }

    private async Task<IResult> ResourceAsync(HttpRequest request, string resource)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal) || !_tokens.ContainsKey(authorization["Bearer ".Length..]))
        {
            return Meta(401, "invalid_token", "The access token provided is invalid.");
        }

        Count(resource, +1);
        try
        {
            await Task.Delay(Latency);
            return Serve(request, resource);
        }
        finally
        {
            Count(resource, -1);
        }
    }

    private void Count(string resource, int change)
    {
        lock (_inFlight)
        {
            var (now, max) = _inFlight.GetValueOrDefault(resource);
            _inFlight[resource] = (now + change, Math.Max(max, now + change));
        }
    }

    private IResult Serve(HttpRequest request, string resource)
    {
        var limit = int.Parse(request.Query["_limit"].FirstOrDefault() ?? "10", CultureInfo.InvariantCulture);
        var page = int.Parse(request.Query["_page"].FirstOrDefault() ?? "0", CultureInfo.InvariantCulture);
        if (limit is < 1 or > 100)
        {
            return Meta(400, "invalid_request", "_limit must be between 1 and 100.");
        }

        IEnumerable<JsonObject> records = Resources.TryGetValue(resource, out var all) ? all.Values : [];
        if (request.Query["_filters"].FirstOrDefault() is { Length: > 0 } filters)
        {
            var match = AfterFilter().Match(filters);
            if (!match.Success)
            {
                return Meta(400, "invalid_request", $"Unsupported filter {filters}.");
            }

            var field = match.Groups["field"].Value;
            var after = long.Parse(match.Groups["after"].Value, CultureInfo.InvariantCulture);
            records = records.Where(r => long.Parse(r[field]!.GetValue<string>(), CultureInfo.InvariantCulture) > after);
        }

        var order = request.Query["_order_by"].FirstOrDefault() ?? "id";
        var fields = (request.Query["_fields"].FirstOrDefault() ?? "id").Split(',');
        var response = records
            .OrderBy(r => long.Parse(r[order]?.GetValue<string>() ?? "0", CultureInfo.InvariantCulture))
            .ThenBy(r => long.Parse(r["id"]!.GetValue<string>(), CultureInfo.InvariantCulture))
            .Skip(page * limit).Take(limit)
            .Select(r => (JsonNode)new JsonObject(fields.Where(r.ContainsKey).Select(f => KeyValuePair.Create(f, r[f]?.DeepClone()))))
            .ToList();
        return Results.Json(new JsonObject
        {
            ["meta"] = new JsonObject { ["status"] = "ok", ["message"] = "Everything executed as expected.", ["more_info"] = "https://api.accelo.com/docs/#status-codes" },
            ["response"] = new JsonArray([.. response]),
        });
    }

    private static IResult Meta(int status, string code, string message) => Results.Json(
        new JsonObject { ["meta"] = new JsonObject { ["status"] = code, ["message"] = message, ["more_info"] = "https://api.accelo.com/docs/#status-codes" } },
        statusCode: status);

    [GeneratedRegex(@"^(?<field>\w+)_after\((?<after>\d+)\)$")]
    private static partial Regex AfterFilter();
}
