using System.Text.Json.Serialization;

namespace Tributary.Connectors.PokeApi;

/// <summary>The state, in the original's key: how far into the list the walk has written every Pokémon.</summary>
internal sealed class OffsetState
{
    [JsonPropertyName("offset")]
    public long Offset { get; init; }
}

/// <summary>A page of a PokeAPI list: <c>{"count", "next", "previous", "results": [{"name", "url"}]}</c>.</summary>
internal sealed record NamedResourceList(long Count, IReadOnlyList<NamedResource>? Results);

/// <summary>A reference to another resource: its name and its URL, whose last segment is its id.</summary>
internal sealed record NamedResource(string? Name, string? Url);

/// <summary>The fields of <c>GET /pokemon/{id}/</c> the tables keep.</summary>
internal sealed record PokemonDetail(
    int? Id,
    string? Name,
    int? Height,
    int? Weight,
    [property: JsonPropertyName("base_experience")] int? BaseExperience,
    int? Order,
    [property: JsonPropertyName("is_default")] bool? IsDefault,
    NamedResource? Species,
    PokemonSprites? Sprites,
    IReadOnlyList<PokemonTypeSlot>? Types,
    IReadOnlyList<PokemonAbilitySlot>? Abilities,
    IReadOnlyList<PokemonStat>? Stats);

internal sealed record PokemonSprites([property: JsonPropertyName("front_default")] string? FrontDefault);

internal sealed record PokemonTypeSlot(int? Slot, NamedResource? Type);

internal sealed record PokemonAbilitySlot(NamedResource? Ability, [property: JsonPropertyName("is_hidden")] bool? IsHidden, int? Slot);

internal sealed record PokemonStat([property: JsonPropertyName("base_stat")] int? BaseStat, int? Effort, NamedResource? Stat);
