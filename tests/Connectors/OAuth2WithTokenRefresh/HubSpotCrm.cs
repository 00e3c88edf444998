using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Tributary.Connectors.Tests.OAuth2WithTokenRefresh;

/// <summary>
/// The data behind <see cref="HubSpotFake"/>: contacts and companies served in the shapes of HubSpot's legacy APIs — contacts
/// v1 (<c>lists/all/contacts/all</c> by <c>vidOffset</c>; <c>lists/recently_updated/contacts/recent</c> newest first by
/// <c>timeOffset</c> + <c>vidOffset</c>) and companies v2 (<c>companies/paged</c> by <c>offset</c>;
/// <c>companies/recent/modified?since=</c> newest first by an index <c>offset</c>).
/// </summary>
public sealed class HubSpotCrm
{
    public const int PortalId = 62515;

    /// <summary>When the data was created: contact or company <c>n</c> was last modified <c>n</c> minutes later.</summary>
    public static readonly DateTimeOffset Epoch = new(2024, 9, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Lock _gate = new();
    private readonly List<Contact> _contacts = [];
    private readonly List<Company> _companies = [];

    public HubSpotCrm()
    {
        for (var i = 1; i <= 10; i++)
        {
            // Contact 204 has no first name: the example skips it, as the original does.
            _contacts.Add(new Contact(200 + i, i == 4 ? null : $"Contact{i}", $"Company {(i % 3) + 1}", $"contact{i}@example.com", Ms(Epoch.AddMinutes(i))));
        }

        for (var i = 1; i <= 7; i++)
        {
            _companies.Add(new Company(9000 + i, $"Company {i}", Ms(Epoch.AddMinutes(i))));
        }
    }

    /// <summary>The contacts the example keeps (those with a first name): (vid, firstname, company, email, lastmodifieddate).</summary>
    public IReadOnlyList<(long Vid, string FirstName, string Company, string Email, string LastModified)> ExpectedContacts
    {
        get
        {
            lock (_gate)
            {
                return [.. _contacts.Where(c => c.FirstName is not null).OrderBy(c => c.Vid)
                    .Select(c => ((long)c.Vid, c.FirstName!, c.Company, c.Email, c.LastModified.ToString(CultureInfo.InvariantCulture)))];
            }
        }
    }

    /// <summary>Every company: (companyId, name, name timestamp).</summary>
    public IReadOnlyList<(long CompanyId, string Name, long Timestamp)> ExpectedCompanies
    {
        get
        {
            lock (_gate)
            {
                return [.. _companies.OrderBy(c => c.Id).Select(c => ((long)c.Id, c.Name, c.LastModified))];
            }
        }
    }

    public void MoveContact(int vid, string company, DateTimeOffset at) => Change(_contacts, c => c.Vid == vid, c => c with { Company = company, LastModified = Ms(at) });

    public void AddContact(int vid, string firstName, DateTimeOffset at)
    {
        lock (_gate)
        {
            _contacts.Add(new Contact(vid, firstName, "Company 1", $"{firstName.ToLowerInvariant()}@example.com", Ms(at)));
        }
    }

    public void RenameCompany(int companyId, string name, DateTimeOffset at) => Change(_companies, c => c.Id == companyId, c => c with { Name = name, LastModified = Ms(at) });

    /// <summary><c>GET /contacts/v1/lists/all/contacts/all?count=&amp;vidOffset=</c></summary>
    public IResult AllContacts(HttpRequest request)
    {
        var count = Count(request, "count", 20, 100);
        var after = long.TryParse(request.Query["vidOffset"], CultureInfo.InvariantCulture, out var v) ? v : 0;
        List<Contact> matching;
        lock (_gate)
        {
            matching = [.. _contacts.Where(c => c.Vid > after).OrderBy(c => c.Vid)];
        }

        var page = matching.Take(count).ToList();
        return Results.Json(new JsonObject
        {
            ["contacts"] = new JsonArray([.. page.Select(ToJson)]),
            ["has-more"] = matching.Count > page.Count,
            ["vid-offset"] = page.Count > 0 ? page[^1].Vid : after,
        });
    }

    /// <summary><c>GET /contacts/v1/lists/recently_updated/contacts/recent?count=&amp;timeOffset=&amp;vidOffset=</c></summary>
    public IResult RecentContacts(HttpRequest request)
    {
        var count = Count(request, "count", 20, 100);
        var hasOffset = long.TryParse(request.Query["timeOffset"], CultureInfo.InvariantCulture, out var timeOffset);
        var vidOffset = long.TryParse(request.Query["vidOffset"], CultureInfo.InvariantCulture, out var vid) ? vid : long.MaxValue;
        List<Contact> matching;
        lock (_gate)
        {
            matching = [.. _contacts
                .OrderByDescending(c => c.LastModified).ThenByDescending(c => c.Vid)
                .Where(c => !hasOffset || c.LastModified < timeOffset || (c.LastModified == timeOffset && c.Vid < vidOffset))];
        }

        var page = matching.Take(count).ToList();
        return Results.Json(new JsonObject
        {
            ["contacts"] = new JsonArray([.. page.Select(ToJson)]),
            ["has-more"] = matching.Count > page.Count,
            ["vid-offset"] = page.Count > 0 ? page[^1].Vid : 0,
            ["time-offset"] = page.Count > 0 ? page[^1].LastModified : 0,
        });
    }

    /// <summary><c>GET /companies/v2/companies/paged?properties=name&amp;limit=&amp;offset=</c></summary>
    public IResult PagedCompanies(HttpRequest request)
    {
        var limit = Count(request, "limit", 100, 250);
        var after = long.TryParse(request.Query["offset"], CultureInfo.InvariantCulture, out var o) ? o : 0;
        List<Company> matching;
        lock (_gate)
        {
            matching = [.. _companies.Where(c => c.Id > after).OrderBy(c => c.Id)];
        }

        var page = matching.Take(limit).ToList();
        return Results.Json(new JsonObject
        {
            ["companies"] = new JsonArray([.. page.Select(ToJson)]),
            ["has-more"] = matching.Count > page.Count,
            ["offset"] = page.Count > 0 ? page[^1].Id : after,
        });
    }

    /// <summary><c>GET /companies/v2/companies/recent/modified?since=&amp;count=&amp;offset=</c></summary>
    public IResult RecentCompanies(HttpRequest request)
    {
        if (!long.TryParse(request.Query["since"], CultureInfo.InvariantCulture, out var since))
        {
            since = 0;
        }

        var count = Count(request, "count", 100, 250);
        var offset = int.TryParse(request.Query["offset"], CultureInfo.InvariantCulture, out var i) ? i : 0;
        List<Company> matching;
        lock (_gate)
        {
            matching = [.. _companies.Where(c => c.LastModified >= since).OrderByDescending(c => c.LastModified).ThenByDescending(c => c.Id)];
        }

        var page = matching.Skip(offset).Take(count).ToList();
        return Results.Json(new JsonObject
        {
            ["results"] = new JsonArray([.. page.Select(ToJson)]),
            ["hasMore"] = offset + page.Count < matching.Count,
            ["offset"] = offset + page.Count,
            ["total"] = matching.Count,
        });
    }

    private static JsonObject ToJson(Contact c)
    {
        var properties = new JsonObject
        {
            ["lastmodifieddate"] = new JsonObject { ["value"] = c.LastModified.ToString(CultureInfo.InvariantCulture) },
            ["company"] = new JsonObject { ["value"] = c.Company },
        };
        if (c.FirstName is not null)
        {
            properties["firstname"] = new JsonObject { ["value"] = c.FirstName };
        }

        return new JsonObject
        {
            ["addedAt"] = c.LastModified,
            ["vid"] = c.Vid,
            ["canonical-vid"] = c.Vid,
            ["merged-vids"] = new JsonArray(),
            ["portal-id"] = PortalId,
            ["is-contact"] = true,
            ["properties"] = properties,
            ["form-submissions"] = new JsonArray(),
            ["identity-profiles"] = new JsonArray(new JsonObject
            {
                ["vid"] = c.Vid,
                ["saved-at-timestamp"] = c.LastModified,
                ["deleted-changed-timestamp"] = 0,
                ["identities"] = new JsonArray(
                    new JsonObject { ["type"] = "EMAIL", ["value"] = c.Email, ["timestamp"] = c.LastModified },
                    new JsonObject { ["type"] = "LEAD_GUID", ["value"] = $"00000000-0000-4000-8000-{c.Vid:D12}", ["timestamp"] = c.LastModified }),
            }),
            ["merge-audits"] = new JsonArray(),
        };
    }

    private static JsonObject ToJson(Company c) => new()
    {
        ["portalId"] = PortalId,
        ["companyId"] = c.Id,
        ["isDeleted"] = false,
        ["properties"] = new JsonObject
        {
            ["name"] = Property("name", c.Name, c.LastModified, "CRM_UI"),
            ["hs_lastmodifieddate"] = Property("hs_lastmodifieddate", c.LastModified.ToString(CultureInfo.InvariantCulture), c.LastModified, "CALCULATED"),
        },
        ["additionalDomains"] = new JsonArray(),
        ["stateChanges"] = new JsonArray(),
        ["mergeAudits"] = new JsonArray(),
    };

    private static JsonObject Property(string name, string value, long timestamp, string source) => new()
    {
        ["value"] = value,
        ["timestamp"] = timestamp,
        ["source"] = source,
        ["sourceId"] = null,
        ["versions"] = new JsonArray(new JsonObject
        {
            ["name"] = name, ["value"] = value, ["timestamp"] = timestamp, ["source"] = source, ["sourceVid"] = new JsonArray(),
        }),
    };

    private void Change<T>(List<T> items, Func<T, bool> match, Func<T, T> change)
    {
        lock (_gate)
        {
            var index = items.FindIndex(item => match(item));
            items[index] = change(items[index]);
        }
    }

    private static int Count(HttpRequest request, string name, int defaultValue, int max) =>
        int.TryParse(request.Query[name], CultureInfo.InvariantCulture, out var n) && n > 0 ? Math.Min(n, max) : defaultValue;

    public static long Ms(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    private sealed record Contact(int Vid, string? FirstName, string Company, string Email, long LastModified);

    private sealed record Company(int Id, string Name, long LastModified);
}
