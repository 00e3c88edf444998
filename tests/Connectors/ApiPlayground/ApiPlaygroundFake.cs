using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;

namespace Tributary.Connectors.Tests.ApiPlayground;

/// <summary>
/// A fake of Fivetran's API playground (<c>pip install fivetran-api-playground</c>, served on 127.0.0.1:5001), the sample
/// API the Fivetran pagination and cursor examples call. Each endpoint serves the response shape its example parses:
/// <list type="bullet">
/// <item><c>GET /pagination/page_number?page&amp;per_page</c>: <c>{data, page, page_size, total_pages, total_items}</c>;</item>
/// <item><c>GET /pagination/offset?offset&amp;limit</c>: <c>{data, offset, limit, total}</c>;</item>
/// <item><c>GET /pagination/keyset?updated_since</c> then <c>?scroll_param</c>: <c>{data, scroll_param}</c>, no
/// <c>scroll_param</c> on the last page;</item>
/// <item><c>GET /pagination/next_page_url?page&amp;per_page</c>: <c>{data, total_items, page, per_page, next_page_url}</c>,
/// an absolute URL carrying every parameter, null on the last page;</item>
/// <item><c>GET /cursors/companies</c> and <c>GET /cursors/{company_id}/departments</c>: <c>{data, total_items}</c>;</item>
/// <item><c>GET /auth/&lt;scheme&gt;</c> (<see cref="PlaygroundAuth"/>): the page-number endpoint's users and page shape
/// behind a credential check, 401 with <c>{"error": "..."}</c> when it fails or after <see cref="PlaygroundAuth.Revoke"/>.</item>
/// </list>
/// Every list takes <c>order_by=updatedAt</c>, <c>order_type=asc|desc</c> and <c>updated_since</c> (inclusive: a record
/// updated at that instant is served again, so none that shares the cursor's second is ever skipped). A bad parameter
/// is a 400 with <c>{"error": "..."}</c>.
/// </summary>
internal sealed class ApiPlaygroundFake : IAsyncDisposable
{
    /// <summary>Records per keyset page: the endpoint takes no page size.</summary>
    public const int KeysetPageSize = 50;

    private const int DefaultPageSize = 10;
    private const int MaxPageSize = 100;

    private ApiPlaygroundFake(PlaygroundUsers users, PlaygroundCompanies companies, TimeProvider time)
    {
        Users = users;
        Companies = companies;
        Auth = new PlaygroundAuth(time);
    }

    public PlaygroundUsers Users { get; }

    /// <summary>The credentials the <c>/auth/…</c> endpoints accept, their sessions, and revocation.</summary>
    public PlaygroundAuth Auth { get; }

    /// <summary>Called after each page-number page of users is served: a test lets time pass in the middle of a sync with it.</summary>
    public Action<HttpRequest>? Served { get; set; }

    public PlaygroundCompanies Companies { get; }

    /// <summary>The HTTP side: base URI, captured requests, injected faults.</summary>
    public FakeApi Api { get; private set; } = null!;

    /// <param name="users">The users; none when omitted.</param>
    /// <param name="companies">The companies and departments; none when omitted.</param>
    /// <param name="time">The sessions' clock: the harness's, so a test expires a session by advancing it.</param>
    public static async Task<ApiPlaygroundFake> StartAsync(PlaygroundUsers? users = null, PlaygroundCompanies? companies = null, TimeProvider? time = null)
    {
        var fake = new ApiPlaygroundFake(
            users ?? new PlaygroundUsers(0, ConnectorHarness.DefaultNow),
            companies ?? new PlaygroundCompanies(0, 0, ConnectorHarness.DefaultNow),
            time ?? TimeProvider.System);
        fake.Api = await FakeApi.StartAsync(fake.Map);
        return fake;
    }

    public ValueTask DisposeAsync() => Api.DisposeAsync();

    private void Map(WebApplication app)
    {
        app.MapGet("/pagination/page_number", UsersPage);

        foreach (var endpoint in PlaygroundAuth.UserEndpoints)
        {
            app.MapGet(endpoint, (HttpRequest request) =>
                Auth.Authorized(endpoint, request) ? UsersPage(request) : PlaygroundAuth.Unauthorized("invalid or missing credentials"));
        }

        app.MapPost(PlaygroundAuth.LoginPath, (JsonObject body) => Auth.LogIn(body));

        app.MapGet("/pagination/offset", (HttpRequest request) => Serve(request, (since, descending) =>
        {
            var (offset, limit) = (Int(request, "offset", 0, 0, int.MaxValue), Int(request, "limit", DefaultPageSize, 1, MaxPageSize));
            var users = Users.UpdatedSince(since, descending);
            return new JsonObject { ["data"] = Page(users, offset, limit), ["offset"] = offset, ["limit"] = limit, ["total"] = users.Count };
        }));

        app.MapGet("/pagination/keyset", (HttpRequest request) =>
        {
            // The scroll token carries the filter and the last key served; the other parameters are then ignored.
            var token = request.Query["scroll_param"].ToString();
            if (token.Length == 0)
            {
                return Serve(request, (since, _) => KeysetPage(since, after: null));
            }

            return ScrollToken.TryRead(token, out var since, out var after)
                ? Results.Json(KeysetPage(since, after))
                : BadRequest("scroll_param is not a token this API issued");
        });

        app.MapGet("/pagination/next_page_url", (HttpRequest request) => Serve(request, (since, descending) =>
        {
            var (page, perPage) = (Int(request, "page", 1, 1, int.MaxValue), Int(request, "per_page", DefaultPageSize, 1, MaxPageSize));
            var users = Users.UpdatedSince(since, descending);
            var last = (long)page * perPage >= users.Count;
            return new JsonObject
            {
                ["data"] = Page(users, (long)(page - 1) * perPage, perPage),
                ["total_items"] = users.Count,
                ["page"] = page,
                ["per_page"] = perPage,
                ["next_page_url"] = last ? null : NextPageUrl(request, page + 1, perPage),
            };
        }));

        app.MapGet("/cursors/companies", (HttpRequest request) => Serve(request, (since, descending) =>
        {
            var companies = Companies.CompaniesUpdatedSince(since, descending);
            return new JsonObject { ["data"] = new JsonArray([.. companies.Select(c => c.ToJson())]), ["total_items"] = companies.Count };
        }));

        app.MapGet("/cursors/{companyId}/departments", (string companyId, HttpRequest request) => Companies.Exists(companyId)
            ? Serve(request, (since, descending) =>
            {
                var departments = Companies.DepartmentsUpdatedSince(companyId, since, descending);
                return new JsonObject { ["data"] = new JsonArray([.. departments.Select(d => d.ToJson())]), ["total_items"] = departments.Count };
            })
            : Results.Json(new JsonObject { ["error"] = $"company {companyId} not found" }, statusCode: StatusCodes.Status404NotFound));
    }

    /// <summary>A page of users by page number: <c>{data, page, page_size, total_pages, total_items}</c>.</summary>
    private IResult UsersPage(HttpRequest request)
    {
        var page = Serve(request, (since, descending) =>
        {
            var (number, perPage) = (Int(request, "page", 1, 1, int.MaxValue), Int(request, "per_page", DefaultPageSize, 1, MaxPageSize));
            var users = Users.UpdatedSince(since, descending);
            return new JsonObject
            {
                ["data"] = Page(users, (long)(number - 1) * perPage, perPage),
                ["page"] = number,
                ["page_size"] = perPage,
                ["total_pages"] = (users.Count + perPage - 1) / perPage,
                ["total_items"] = users.Count,
            };
        });
        Served?.Invoke(request);
        return page;
    }

    private JsonObject KeysetPage(DateTimeOffset since, (DateTimeOffset UpdatedAt, string Id)? after)
    {
        var remaining = Users.UpdatedSince(since)
            .Where(u => after is not { } key || u.UpdatedAt > key.UpdatedAt || (u.UpdatedAt == key.UpdatedAt && string.CompareOrdinal(u.Id, key.Id) > 0))
            .ToList();
        var page = remaining.Take(KeysetPageSize).ToList();
        var body = new JsonObject { ["data"] = new JsonArray([.. page.Select(u => u.ToJson())]) };
        if (remaining.Count > page.Count)
        {
            body["scroll_param"] = ScrollToken.Write(since, page[^1].UpdatedAt, page[^1].Id);
        }

        return body;
    }

    /// <summary>Validates the list parameters every endpoint shares, then answers with <paramref name="build"/>'s body;
    /// a bad parameter (here or in <paramref name="build"/>) is a 400 naming it.</summary>
    private static IResult Serve(HttpRequest request, Func<DateTimeOffset, bool, JsonObject> build)
    {
        try
        {
            var orderBy = request.Query["order_by"].ToString();
            if (orderBy.Length > 0 && orderBy != "updatedAt")
            {
                throw new BadParameterException($"order_by must be updatedAt; got '{orderBy}'");
            }

            var orderType = request.Query["order_type"].ToString();
            if (orderType.Length > 0 && orderType is not ("asc" or "desc"))
            {
                throw new BadParameterException($"order_type must be asc or desc; got '{orderType}'");
            }

            var sinceText = request.Query["updated_since"].ToString();
            var since = sinceText.Length == 0
                ? DateTimeOffset.MinValue
                : PlaygroundTime.Parse(sinceText) ?? throw new BadParameterException($"updated_since is not an ISO-8601 timestamp: '{sinceText}'");
            return Results.Json(build(since, orderType == "desc"));
        }
        catch (BadParameterException ex)
        {
            return BadRequest(ex.Message);
        }
    }

    private static int Int(HttpRequest request, string name, int defaultValue, int min, int max)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0)
        {
            return defaultValue;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new BadParameterException($"{name} must be an integer from {min} to {max}; got '{text}'");
    }

    private static JsonArray Page(IReadOnlyList<PlaygroundUser> users, long skip, int take) =>
        new([.. users.Skip((int)Math.Min(skip, users.Count)).Take(take).Select(u => u.ToJson())]);

    private static string NextPageUrl(HttpRequest request, int page, int perPage)
    {
        var query = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in request.Query)
        {
            query[key] = value.ToString();
        }

        query["page"] = page.ToString(CultureInfo.InvariantCulture);
        query["per_page"] = perPage.ToString(CultureInfo.InvariantCulture);
        return $"{request.Scheme}://{request.Host}{request.Path}{QueryString.Create(query)}";
    }

    private static IResult BadRequest(string message) =>
        Results.Json(new JsonObject { ["error"] = message }, statusCode: StatusCodes.Status400BadRequest);

    private sealed class BadParameterException(string message) : Exception(message);

    /// <summary>The keyset endpoint's opaque token: the filter and the last key served, base64url-encoded.</summary>
    private static class ScrollToken
    {
        public static string Write(DateTimeOffset since, DateTimeOffset updatedAt, string id) => Convert.ToBase64String(
            Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{since.UtcTicks}|{updatedAt.UtcTicks}|{id}")))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

        public static bool TryRead(string token, out DateTimeOffset since, out (DateTimeOffset UpdatedAt, string Id)? after)
        {
            (since, after) = (default, null);
            try
            {
                var base64 = token.Replace('-', '+').Replace('_', '/');
                var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=')));
                var parts = text.Split('|');
                if (parts.Length != 3)
                {
                    return false;
                }

                since = new DateTimeOffset(long.Parse(parts[0], CultureInfo.InvariantCulture), TimeSpan.Zero);
                after = (new DateTimeOffset(long.Parse(parts[1], CultureInfo.InvariantCulture), TimeSpan.Zero), parts[2]);
                return true;
            }
            catch (FormatException)
            {
                return false;
            }
        }
    }
}
