using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tributary.Connectors.Tests.Sources;

namespace Tributary.Connectors.Tests.PokeApi;

/// <summary>One Pokémon as the fake serves it; a test changes these between syncs.</summary>
internal sealed record FakePokemon(int Id, string Name)
{
    public int Height { get; init; }
    public int Weight { get; set; }
    public int? BaseExperience { get; init; }
    public bool IsDefault { get; init; } = true;
    public List<(int Slot, int TypeId, string TypeName)> Types { get; init; } = [];
    public List<(int AbilityId, string AbilityName, bool IsHidden, int Slot)> Abilities { get; init; } = [];
    public List<(int StatId, string StatName, int BaseStat, int Effort)> Stats { get; init; } = [];
}

/// <summary>
/// A fake of PokeAPI v2 as documented (https://pokeapi.co/docs/v2): <c>GET /api/v2/pokemon?offset&amp;limit</c> answers the
/// named-resource list <c>{"count", "next", "previous", "results": [{"name", "url"}]}</c> (default limit 20) with absolute URLs,
/// and <c>GET /api/v2/pokemon/{id}/</c> the Pokémon: <c>id, name, height, weight, base_experience, order, is_default,
/// species {name, url}, sprites {front_default, …}, types [{slot, type}], abilities [{ability, is_hidden, slot}],
/// stats [{base_stat, effort, stat}]</c> and fields the connector does not read (<c>moves</c>, <c>cries</c>), or
/// <c>404 Not Found</c> (plain text, as PokeAPI answers) for an id it does not have. No authentication: PokeAPI has none.
/// </summary>
internal sealed class PokeApiFake : IAsyncDisposable
{
    private static readonly string[] FirstNames = ["bulbasaur", "ivysaur", "venusaur", "charmander", "charmeleon", "charizard", "squirtle", "wartortle", "blastoise"];
    private static readonly (int Id, string Name)[] TypeNames = [(12, "grass"), (4, "poison"), (10, "fire"), (3, "flying"), (11, "water"), (1, "normal")];
    private static readonly string[] StatNames = ["hp", "attack", "defense", "special-attack", "special-defense", "speed"];

    private readonly Lock _gate = new();
    private readonly List<FakePokemon> _listed = [];
    private readonly HashSet<int> _detailGone = [];

    private PokeApiFake()
    {
    }

    public FakeApi Api { get; private set; } = null!;

    /// <summary>The <c>api_base_url</c> to configure: the fake's <c>/api/v2</c>, without a trailing slash like the original's.</summary>
    public string BaseUrl => Api.BaseUri.AbsoluteUri + "api/v2";

    /// <summary>The Pokémon the list names, in list order.</summary>
    public IReadOnlyList<FakePokemon> Listed
    {
        get
        {
            lock (_gate)
            {
                return [.. _listed];
            }
        }
    }

    public static async Task<PokeApiFake> StartAsync(int count)
    {
        var fake = new PokeApiFake();
        fake.Add(count);
        fake.Api = await FakeApi.StartAsync(app =>
        {
            app.MapGet("/api/v2/pokemon", fake.List);
            app.MapGet("/api/v2/pokemon/{id:int}", fake.Detail);
        });
        return fake;
    }

    /// <summary>Appends <paramref name="count"/> Pokémon at the end of the list, as a new generation does.</summary>
    public void Add(int count)
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _listed.Add(Generate(_listed.Count + 1));
            }
        }
    }

    public FakePokemon Get(int id)
    {
        lock (_gate)
        {
            return _listed.Single(p => p.Id == id);
        }
    }

    /// <summary>The Pokémon stays in the list but its detail answers 404: removed between the two requests.</summary>
    public void RemoveDetail(int id)
    {
        lock (_gate)
        {
            _detailGone.Add(id);
        }
    }

    public ValueTask DisposeAsync() => Api.DisposeAsync();

    /// <summary>The URL of a resource as PokeAPI writes it: absolute, ending in <c>/</c>.</summary>
    public string Url(string resource, int id) => string.Create(CultureInfo.InvariantCulture, $"{BaseUrl}/{resource}/{id}/");

    private static FakePokemon Generate(int id)
    {
        var name = id <= FirstNames.Length ? FirstNames[id - 1] : string.Create(CultureInfo.InvariantCulture, $"pokemon-{id:D4}");
        var first = TypeNames[id % TypeNames.Length];
        var types = new List<(int, int, string)> { (1, first.Id, first.Name) };
        if (id % 2 == 1)
        {
            var second = TypeNames[(id + 1) % TypeNames.Length];
            types.Add((2, second.Id, second.Name));
        }

        return new FakePokemon(id, name)
        {
            Height = 5 + (id % 17),
            Weight = 60 + (id * 7 % 900),
            BaseExperience = id % 11 == 0 ? null : 60 + (id % 200),   // PokeAPI has null base_experience for some forms
            Types = types,
            Abilities = [(65 + (id % 5), $"ability-{65 + (id % 5)}", false, 1), (34 + (id % 3), $"ability-{34 + (id % 3)}", true, 3)],
            Stats = [.. StatNames.Select((stat, i) => (i + 1, stat, 40 + ((id + i) * 13 % 90), i == id % 6 ? 1 : 0))],
        };
    }

    private IResult List(HttpRequest request, int? offset, int? limit)
    {
        var from = Math.Max(0, offset ?? 0);
        var size = Math.Max(1, limit ?? 20);
        List<FakePokemon> listed;
        lock (_gate)
        {
            listed = [.. _listed];
        }

        var root = BaseUrl + "/pokemon/";
        string? Page(int at) => string.Create(CultureInfo.InvariantCulture, $"{root}?offset={at}&limit={size}");
        return Results.Json(new JsonObject
        {
            ["count"] = listed.Count,
            ["next"] = from + size < listed.Count ? Page(from + size) : null,
            ["previous"] = from > 0 ? Page(Math.Max(0, from - size)) : null,
            ["results"] = new JsonArray([.. listed.Skip(from).Take(size).Select(p => (JsonNode)new JsonObject { ["name"] = p.Name, ["url"] = Url("pokemon", p.Id) })]),
        });
    }

    private IResult Detail(int id)
    {
        FakePokemon? pokemon;
        lock (_gate)
        {
            pokemon = _detailGone.Contains(id) ? null : _listed.SingleOrDefault(p => p.Id == id);
        }

        return pokemon is null ? Results.Text("Not Found", "text/plain", statusCode: StatusCodes.Status404NotFound) : Results.Json(Json(pokemon));
    }

    private JsonObject Json(FakePokemon p) => new()
    {
        ["abilities"] = new JsonArray([.. p.Abilities.Select(a => (JsonNode)new JsonObject
        {
            ["ability"] = Named(a.AbilityName, "ability", a.AbilityId), ["is_hidden"] = a.IsHidden, ["slot"] = a.Slot,
        })]),
        ["base_experience"] = p.BaseExperience,
        ["cries"] = new JsonObject { ["latest"] = $"https://raw.githubusercontent.com/PokeAPI/cries/main/cries/pokemon/latest/{p.Id}.ogg" },
        ["height"] = p.Height,
        ["id"] = p.Id,
        ["is_default"] = p.IsDefault,
        ["moves"] = new JsonArray(new JsonObject { ["move"] = Named("tackle", "move", 33) }),
        ["name"] = p.Name,
        ["order"] = p.Id,
        ["species"] = Named(p.Name, "pokemon-species", p.Id),
        ["sprites"] = new JsonObject
        {
            ["back_default"] = null,
            ["front_default"] = Sprite(p.Id),
            ["other"] = new JsonObject { ["home"] = new JsonObject { ["front_default"] = "https://example.invalid/home.png" } },
        },
        ["stats"] = new JsonArray([.. p.Stats.Select(s => (JsonNode)new JsonObject
        {
            ["base_stat"] = s.BaseStat, ["effort"] = s.Effort, ["stat"] = Named(s.StatName, "stat", s.StatId),
        })]),
        ["types"] = new JsonArray([.. p.Types.Select(t => (JsonNode)new JsonObject { ["slot"] = t.Slot, ["type"] = Named(t.TypeName, "type", t.TypeId) })]),
        ["weight"] = p.Weight,
    };

    public static string Sprite(int id) =>
        string.Create(CultureInfo.InvariantCulture, $"https://raw.githubusercontent.com/PokeAPI/sprites/master/sprites/pokemon/{id}.png");

    private JsonObject Named(string name, string resource, int id) => new() { ["name"] = name, ["url"] = Url(resource, id) };
}
