using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tributary.Connectors.Tests.Sources;

namespace Tributary.Connectors.Tests.UsingPdDataFrames;

/// <summary>
/// A fake of randomuser.me's <c>GET /api/?results=&amp;seed=&amp;page=</c> as documented: <c>{"results": [...], "info":
/// {"seed", "results", "page", "version"}}</c>, the same users for the same seed and page. Postcodes are numbers for some
/// users and text for others, as on the real service.
/// </summary>
internal sealed class RandomUserFake : IAsyncDisposable
{
    private static readonly string[] Firsts = ["Jennie", "Brad", "Aino", "Mathis", "Léa", "Rafael"];
    private static readonly string[] Lasts = ["Nichols", "Gibson", "Lehtonen", "Roux", "Moreau", "Silva"];

    private FakeApi _api = null!;

    private RandomUserFake()
    {
    }

    public FakeApi Api => _api;

    public static async Task<RandomUserFake> StartAsync()
    {
        var fake = new RandomUserFake();
        fake._api = await FakeApi.StartAsync(app => app.MapGet("/api/", Users));
        return fake;
    }

    /// <summary>The user the fake serves as the <paramref name="page"/>th page of one result.</summary>
    public static (string FullName, string Email, string City, string Postcode, string Username) Expected(int page)
    {
        var i = page % Firsts.Length;
        return ($"Ms {Firsts[i]} {Lasts[i]}", Email(page), "City " + page, Postcode(page), "user" + page);
    }

    public ValueTask DisposeAsync() => _api.DisposeAsync();

    private static IResult Users(int? results, string? seed, int? page)
    {
        var count = Math.Clamp(results ?? 1, 1, 5000);
        var first = ((page ?? 1) - 1) * count + 1;
        var users = new JsonArray();
        for (var n = first; n < first + count; n++)
        {
            users.Add(User(n));
        }

        var body = new JsonObject
        {
            ["results"] = users,
            ["info"] = new JsonObject { ["seed"] = seed ?? "56d27f4a53bd5441", ["results"] = count, ["page"] = page ?? 1, ["version"] = "1.4" },
        };
        return Results.Text(body.ToJsonString(), "application/json; charset=utf-8");
    }

    private static JsonObject User(int n)
    {
        var i = n % Firsts.Length;
        var postcode = Postcode(n);
        return new JsonObject
        {
            ["gender"] = "female",
            ["name"] = new JsonObject { ["title"] = "Ms", ["first"] = Firsts[i], ["last"] = Lasts[i] },
            ["location"] = new JsonObject
            {
                ["street"] = new JsonObject { ["number"] = 8929 + n, ["name"] = "Valwood Pkwy" },
                ["city"] = "City " + n,
                ["state"] = "Michigan",
                ["country"] = "United States",
                ["postcode"] = n % 2 == 0 ? JsonValue.Create(int.Parse(postcode, CultureInfo.InvariantCulture)) : JsonValue.Create(postcode),
                ["coordinates"] = new JsonObject { ["latitude"] = "-69.8246", ["longitude"] = "134.8719" },
                ["timezone"] = new JsonObject { ["offset"] = "+9:30", ["description"] = "Adelaide, Darwin" },
            },
            ["email"] = Email(n),
            ["login"] = new JsonObject
            {
                ["uuid"] = $"7a0eed16-9430-4d68-901f-{n:D12}",
                ["username"] = "user" + n,
                ["password"] = "addison",
                ["salt"] = "sld1yGtd",
                ["md5"] = "ab54ac4c0be9480ae8fa5e9e2a5196a3",
            },
            ["dob"] = new JsonObject { ["date"] = "1992-03-08T15:13:16.688Z", ["age"] = 30 + n },
            ["registered"] = new JsonObject { ["date"] = "2007-07-09T05:51:59.390Z", ["age"] = 14 },
            ["phone"] = "(272) 790-0888",
            ["cell"] = "(489) 330-2385",
            ["id"] = new JsonObject { ["name"] = "SSN", ["value"] = "405-88-3636" },
            ["picture"] = new JsonObject
            {
                ["large"] = "https://randomuser.me/api/portraits/women/" + n + ".jpg",
                ["medium"] = "https://randomuser.me/api/portraits/med/women/" + n + ".jpg",
                ["thumbnail"] = "https://randomuser.me/api/portraits/thumb/women/" + n + ".jpg",
            },
            ["nat"] = "US",
        };
    }

    private static string Email(int n) => $"user{n}@example.com";

    private static string Postcode(int n) => (63100 + n).ToString(CultureInfo.InvariantCulture);
}
