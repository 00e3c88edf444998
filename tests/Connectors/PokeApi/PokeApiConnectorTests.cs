using Tributary.Connectors.PokeApi;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Xunit;

namespace Tributary.Connectors.Tests.PokeApi;

/// <summary>The Claude-written PokeAPI tutorial connector against <see cref="PokeApiFake"/>. PokeAPI has no credentials, so
/// there is no bad-credential or secret test: a bad setting stands in for the first, and the second has nothing to keep out.</summary>
public sealed class PokeApiConnectorTests
{
    [Fact]
    public async Task UpdateAsync_FirstSyncThenNextSyncs_ReadsOnePageOfTheListPerSyncCheckpointingEveryTenThenStartsOver()
    {
        await using var pokeapi = await PokeApiFake.StartAsync(25);
        await using var harness = new ConnectorHarness("pokeapi");

        var first = await harness.RunAsync(new PokeApiConnector(), Configuration(pokeapi, limit: 12));

        RunAssert.Succeeded(first);
        Assert.Equal(["/api/v2/pokemon?offset=0&limit=12", .. Enumerable.Range(1, 12).Select(id => $"/api/v2/pokemon/{id}/")], Paths(pokeapi));
        Assert.Equal(12, first.Tables["pokemon"].Upserts);
        Assert.Equal(2, first.Checkpoints);   // after the 10th Pokémon, then at the end of the page
        RunAssert.JsonEqual("""{"offset": 12}""", await harness.ReadStateAsync());
        await AssertTablesAsync(harness, pokeapi.Listed.Take(12));
        var bulbasaur = (await harness.RowsAsync("pokemon", "id"))[0];
        Assert.Equal(("bulbasaur", 1, "bulbasaur", PokeApiFake.Sprite(1), true), ((string)bulbasaur["name"]!, (int)bulbasaur["species_id"]!, (string)bulbasaur["species_name"]!, (string)bulbasaur["image_url"]!, (bool)bulbasaur["is_default"]!));
        Assert.Equal(1, (int)bulbasaur["_order"]!);   // `order` is a reserved word: written as `_order`
        pokeapi.Api.ClearRequests();

        var second = await harness.RunAsync(new PokeApiConnector(), Configuration(pokeapi, limit: 12));

        RunAssert.Succeeded(second);
        Assert.Equal(["/api/v2/pokemon?offset=12&limit=12", .. Enumerable.Range(13, 12).Select(id => $"/api/v2/pokemon/{id}/")], Paths(pokeapi));
        RunAssert.JsonEqual("""{"offset": 24}""", await harness.ReadStateAsync());
        pokeapi.Api.ClearRequests();

        var third = await harness.RunAsync(new PokeApiConnector(), Configuration(pokeapi, limit: 12));

        RunAssert.Succeeded(third);
        Assert.Equal(["/api/v2/pokemon?offset=24&limit=12", "/api/v2/pokemon/25/"], Paths(pokeapi));
        RunAssert.JsonEqual("""{"offset": 0}""", await harness.ReadStateAsync());   // the whole list is read: start over
        await AssertTablesAsync(harness, pokeapi.Listed);
    }

    [Fact]
    public async Task UpdateAsync_SourceChangedAfterAWholeListSync_UpdatesChangedAddsNewAndSoftDeletesRemoved()
    {
        await using var pokeapi = await PokeApiFake.StartAsync(15);
        await using var harness = new ConnectorHarness("pokeapi");
        RunAssert.Succeeded(await harness.RunAsync(new PokeApiConnector(), Configuration(pokeapi, limit: 100)));
        RunAssert.JsonEqual("""{"offset": 0}""", await harness.ReadStateAsync());

        // Bulbasaur is heavier with a new attack stat, two Pokémon are added, and #3's detail is gone although the list names it.
        var bulbasaur = pokeapi.Get(1);
        bulbasaur.Weight = 70;
        bulbasaur.Stats[1] = (2, "attack", 99, 0);
        pokeapi.Add(2);
        pokeapi.RemoveDetail(3);
        pokeapi.Api.ClearRequests();

        var second = await harness.RunAsync(new PokeApiConnector(), Configuration(pokeapi, limit: 100));

        RunAssert.Succeeded(second);
        Assert.Equal("/api/v2/pokemon?offset=0&limit=100", Paths(pokeapi)[0]);
        Assert.Equal(1, second.Tables["pokemon"].Deletes);
        Assert.Contains(harness.Logs.Lines, line => line.Contains("venusaur (3) is listed but its detail answers 404", StringComparison.Ordinal));
        var pokemon = await harness.RowsAsync("pokemon", "id");
        Assert.Equal(17, pokemon.Count);
        Assert.Equal([3], pokemon.Where(r => (bool)r[RunAssert.Deleted]!).Select(r => (int)r["id"]!));
        Assert.Equal(70, (int)pokemon[0]["weight"]!);
        var attack = await harness.QueryAsync($"SELECT base_value FROM {harness.Qualified("pokemon_stats")} WHERE pokemon_id = 1 AND stat_id = 2");
        Assert.Equal(99, (int)attack[0]["base_value"]!);
        await AssertTablesAsync(harness, pokeapi.Listed.Where(p => p.Id != 3), deleted: [3]);
    }

    [Fact]
    public async Task UpdateAsync_TooManyRequestsThenUnavailable_RetriesAndSyncsTheSameRows()
    {
        await using var pokeapi = await PokeApiFake.StartAsync(12);
        await using var harness = new ConnectorHarness("pokeapi");
        pokeapi.Api.Inject(Fault.Unavailable(), r => r.Path == "/api/v2/pokemon");
        pokeapi.Api.Inject(Fault.TooManyRequests(1), r => r.Path == "/api/v2/pokemon/4/");
        pokeapi.Api.Inject(Fault.Unavailable(), r => r.Path == "/api/v2/pokemon/11/");

        var run = await harness.RunAsync(new PokeApiConnector(), Configuration(pokeapi, limit: 100));

        RunAssert.Succeeded(run);
        Assert.Equal(1 + 12 + 3, pokeapi.Api.Requests.Count);
        Assert.Equal(12, run.Tables["pokemon"].Upserts);
        await AssertTablesAsync(harness, pokeapi.Listed);
    }

    [Fact]
    public async Task UpdateAsync_MalformedDetail_FailsNamingItsUrlKeepsTheCheckpointBeforeItAndTheRerunConverges()
    {
        await using var pokeapi = await PokeApiFake.StartAsync(25);
        await using var harness = new ConnectorHarness("pokeapi");
        pokeapi.Api.Inject(Fault.Malformed(), r => r.Path == "/api/v2/pokemon/14/");

        var failed = await harness.RunAsync(new PokeApiConnector(), Configuration(pokeapi, limit: 100));

        RunAssert.Failed(failed, $"{pokeapi.BaseUrl}/pokemon/14/");
        Assert.Contains("malformed", failed.Error, StringComparison.Ordinal);
        Assert.Equal(1, failed.Checkpoints);
        RunAssert.JsonEqual("""{"offset": 10}""", await harness.ReadStateAsync());
        pokeapi.Api.ClearRequests();

        var rerun = await harness.RunAsync(new PokeApiConnector(), Configuration(pokeapi, limit: 100));

        RunAssert.Succeeded(rerun);
        Assert.Equal("/api/v2/pokemon?offset=10&limit=100", Paths(pokeapi)[0]);   // Pokémon 1 to 10 are not read again
        RunAssert.JsonEqual("""{"offset": 0}""", await harness.ReadStateAsync());
        await AssertTablesAsync(harness, pokeapi.Listed);
    }

    [Fact]
    public async Task UpdateAsync_KilledMidPokemonAfterACheckpoint_RerunResumesThereAndMatchesASyncNeverKilled()
    {
        await using var pokeapi = await PokeApiFake.StartAsync(25);
        await using var harness = new ConnectorHarness("pokeapi");
        await using var clean = new ConnectorHarness("pokeapi");
        RunAssert.Succeeded(await clean.RunAsync(new PokeApiConnector(), Configuration(pokeapi, limit: 100)));
        pokeapi.Api.ClearRequests();

        // About ten operations a Pokémon (the Pokémon, one or two types, two abilities, six stats): the 150th is inside the 15th, after the checkpoint at the 10th.
        var killed = await harness.RunAsync(new PokeApiConnector(), Configuration(pokeapi, limit: 100), killAfterOperations: 150);

        RunAssert.Failed(killed, "killed after 150 operations");
        RunAssert.JsonEqual("""{"offset": 10}""", await harness.ReadStateAsync());
        pokeapi.Api.ClearRequests();

        var rerun = await harness.RunAsync(new PokeApiConnector(), Configuration(pokeapi, limit: 100));

        RunAssert.Succeeded(rerun);
        Assert.Equal("/api/v2/pokemon?offset=10&limit=100", Paths(pokeapi)[0]);
        RunAssert.JsonEqual(
            (await clean.ReadStateAsync()).ToJsonString(), await harness.ReadStateAsync());
        foreach (var (table, key) in Keys)
        {
            Assert.Equal(await clean.ContentsAsync(table, key), await harness.ContentsAsync(table, key));
        }
    }

    [Fact]
    public async Task UpdateAsync_LimitNotAPositiveNumber_FailsNamingTheKeyBeforeAnyRequestAndKeepsTheState()
    {
        await using var pokeapi = await PokeApiFake.StartAsync(5);
        await using var harness = new ConnectorHarness("pokeapi");
        RunAssert.Succeeded(await harness.RunAsync(new PokeApiConnector(), Configuration(pokeapi, limit: 3)));
        pokeapi.Api.ClearRequests();

        var run = await harness.RunAsync(new PokeApiConnector(), Configuration(pokeapi, limit: 0));

        RunAssert.Failed(run, "Configuration key 'limit' must be a positive number");
        Assert.Empty(pokeapi.Api.Requests);
        RunAssert.JsonEqual("""{"offset": 3}""", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_DetailNamesATypeWithoutAnId_FailsNamingTheUrlInsteadOfWritingAnUnstableKey()
    {
        await using var pokeapi = await PokeApiFake.StartAsync(3);
        await using var harness = new ConnectorHarness("pokeapi");
        pokeapi.Api.Inject(
            Fault.WithStatus(200, """{"id": 2, "name": "ivysaur", "types": [{"slot": 1, "type": {"name": "grass", "url": "https://pokeapi.co/api/v2/type/grass/"}}]}"""),
            r => r.Path == "/api/v2/pokemon/2/");

        var run = await harness.RunAsync(new PokeApiConnector(), Configuration(pokeapi, limit: 100));

        RunAssert.Failed(run, "'https://pokeapi.co/api/v2/type/grass/', which does not end in an id");
        RunAssert.JsonEqual("{}", await harness.ReadStateAsync());
    }

    internal static Dictionary<string, string> Configuration(PokeApiFake pokeapi, int limit)
    {
        var configuration = SampleConfiguration.Read("PokeApi");
        configuration["api_base_url"] = pokeapi.BaseUrl;
        configuration["limit"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        configuration["request_delay"] = "0";
        configuration["http_retry_delay_ms"] = "1";
        return configuration;
    }

    private static readonly (string Table, string Key)[] Keys =
        [("pokemon", "id"), ("pokemon_types", "pokemon_id, type_id"), ("pokemon_abilities", "pokemon_id, ability_id"), ("pokemon_stats", "pokemon_id, stat_id")];

    private static List<string> Paths(PokeApiFake pokeapi) => [.. pokeapi.Api.Requests.Select(r => r.PathAndQuery)];

    /// <summary>The four tables hold exactly the rows of <paramref name="expected"/> (live) and of the <paramref name="deleted"/>
    /// ids (soft-deleted <c>pokemon</c> rows).</summary>
    internal static async Task AssertTablesAsync(ConnectorHarness harness, IEnumerable<FakePokemon> expected, int[]? deleted = null)
    {
        var live = expected.OrderBy(p => p.Id).ToList();
        var pokemon = await harness.RowsAsync("pokemon", "id");
        Assert.Equal(
            live.Select(p => (p.Id, p.Name, p.Height, p.Weight, p.BaseExperience, false)),
            pokemon.Where(r => !(deleted ?? []).Contains((int)r["id"]!))
                .Select(r => ((int)r["id"]!, (string)r["name"]!, (int)r["height"]!, (int)r["weight"]!, (int?)r["base_experience"], (bool)r[RunAssert.Deleted]!)));
        var liveIds = live.Select(p => p.Id).ToHashSet();

        var types = await harness.RowsAsync("pokemon_types", "pokemon_id, type_id");
        Assert.Equal(
            live.SelectMany(p => p.Types.Select(t => (p.Id, t.TypeId, t.TypeName, t.Slot))).Order(),
            types.Where(r => liveIds.Contains((int)r["pokemon_id"]!)).Select(r => ((int)r["pokemon_id"]!, (int)r["type_id"]!, (string)r["type_name"]!, (int)r["slot"]!)));

        var abilities = await harness.RowsAsync("pokemon_abilities", "pokemon_id, ability_id");
        Assert.Equal(
            live.SelectMany(p => p.Abilities.Select(a => (p.Id, a.AbilityId, a.AbilityName, a.IsHidden, a.Slot))).Order(),
            abilities.Where(r => liveIds.Contains((int)r["pokemon_id"]!))
                .Select(r => ((int)r["pokemon_id"]!, (int)r["ability_id"]!, (string)r["ability_name"]!, (bool)r["is_hidden"]!, (int)r["slot"]!)));

        var stats = await harness.RowsAsync("pokemon_stats", "pokemon_id, stat_id");
        Assert.Equal(
            live.SelectMany(p => p.Stats.Select(s => (p.Id, s.StatId, s.StatName, s.BaseStat, s.Effort))).Order(),
            stats.Where(r => liveIds.Contains((int)r["pokemon_id"]!))
                .Select(r => ((int)r["pokemon_id"]!, (int)r["stat_id"]!, (string)r["stat_name"]!, (int)r["base_value"]!, (int)r["effort"]!)));
    }
}
