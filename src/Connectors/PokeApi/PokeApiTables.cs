using Tributary.Sdk;

namespace Tributary.Connectors.PokeApi;

/// <summary>The original's four tables, keys and declared types.</summary>
internal static class PokeApiTables
{
    public const string Pokemon = "pokemon";
    public const string Types = "pokemon_types";
    public const string Abilities = "pokemon_abilities";
    public const string Stats = "pokemon_stats";

    public static IReadOnlyList<TableDefinition> All { get; } =
    [
        new(Pokemon)
        {
            PrimaryKey = ["id"],
            Columns = Typed(
                ("id", ColumnType.Int), ("name", ColumnType.String), ("height", ColumnType.Int), ("weight", ColumnType.Int),
                ("base_experience", ColumnType.Int), ("order", ColumnType.Int), ("is_default", ColumnType.Boolean),
                ("species_id", ColumnType.Int), ("species_name", ColumnType.String), ("image_url", ColumnType.String)),
        },
        new(Types)
        {
            PrimaryKey = ["pokemon_id", "type_id"],
            Columns = Typed(("pokemon_id", ColumnType.Int), ("type_id", ColumnType.Int), ("type_name", ColumnType.String), ("slot", ColumnType.Int)),
        },
        new(Abilities)
        {
            PrimaryKey = ["pokemon_id", "ability_id"],
            Columns = Typed(
                ("pokemon_id", ColumnType.Int), ("ability_id", ColumnType.Int), ("ability_name", ColumnType.String),
                ("is_hidden", ColumnType.Boolean), ("slot", ColumnType.Int)),
        },
        new(Stats)
        {
            PrimaryKey = ["pokemon_id", "stat_id"],
            Columns = Typed(
                ("pokemon_id", ColumnType.Int), ("stat_id", ColumnType.Int), ("stat_name", ColumnType.String),
                ("base_value", ColumnType.Int), ("effort", ColumnType.Int)),
        },
    ];

    private static Dictionary<string, ColumnType> Typed(params (string Name, ColumnType Type)[] columns) =>
        columns.ToDictionary(c => c.Name, c => c.Type, StringComparer.Ordinal);
}
