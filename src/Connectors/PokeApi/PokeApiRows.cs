using System.Globalization;

namespace Tributary.Connectors.PokeApi;

/// <summary>A Pokémon's detail as the original's rows: the Pokémon, and one row per type, ability and stat.</summary>
internal static class PokeApiRows
{
    public static object Pokemon(PokemonDetail detail, string? listedName) => new
    {
        id = detail.Id,
        name = listedName ?? detail.Name,
        height = detail.Height,
        weight = detail.Weight,
        base_experience = detail.BaseExperience,
        order = detail.Order,
        is_default = detail.IsDefault,
        species_id = detail.Species?.Url is { } species ? ResourceId.Of(species, "species") : (int?)null,
        species_name = detail.Species?.Name,
        image_url = detail.Sprites?.FrontDefault,
    };

    public static IEnumerable<object> Types(int pokemonId, PokemonDetail detail) =>
        (detail.Types ?? []).Select(t => new
        {
            pokemon_id = pokemonId,
            type_id = ResourceId.Of(t.Type?.Url, "type"),
            type_name = t.Type?.Name,
            slot = t.Slot,
        });

    public static IEnumerable<object> Abilities(int pokemonId, PokemonDetail detail) =>
        (detail.Abilities ?? []).Select(a => new
        {
            pokemon_id = pokemonId,
            ability_id = ResourceId.Of(a.Ability?.Url, "ability"),
            ability_name = a.Ability?.Name,
            is_hidden = a.IsHidden,
            slot = a.Slot,
        });

    public static IEnumerable<object> Stats(int pokemonId, PokemonDetail detail) =>
        (detail.Stats ?? []).Select(s => new
        {
            pokemon_id = pokemonId,
            stat_id = ResourceId.Of(s.Stat?.Url, "stat"),
            stat_name = s.Stat?.Name,
            base_value = s.BaseStat,
            effort = s.Effort,
        });
}

/// <summary>PokeAPI's ids, read as the original reads them: the last segment of a resource URL (<c>…/type/12/</c> is 12).</summary>
internal static class ResourceId
{
    /// <exception cref="InvalidDataException">The URL is missing or does not end in an id; the message names it.</exception>
    public static int Of(string? url, string what)
    {
        var segment = url?.TrimEnd('/');
        segment = segment?[(segment.LastIndexOf('/') + 1)..];
        return int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new InvalidDataException($"PokeAPI named a {what} by '{url}', which does not end in an id: its key cannot be built.");
    }
}
