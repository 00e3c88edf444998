using System.Text.Json.Nodes;
using Tributary.Sdk;

namespace Tributary.Connectors.SpecifiedTypes;

/// <summary>Declares a column of every type; the declared types coerce the values sent.</summary>
[Connector("specified_types", Description = "Writes one row with a declared column of every data type.")]
public sealed class SpecifiedTypesConnector : Connector
{
    private const string Table = "specified";

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
    [
        new TableDefinition(Table)
        {
            PrimaryKey = ["_bool"],
            Columns = new Dictionary<string, ColumnType>
            {
                ["_bool"] = ColumnType.Boolean,
                ["_short"] = ColumnType.Short,
                ["_long"] = ColumnType.Long,
                ["_dec"] = ColumnType.Decimal(15, 2),
                ["_float"] = ColumnType.Float,
                ["_double"] = ColumnType.Double,
                ["_ndate"] = ColumnType.NaiveDate,
                ["_ndatetime"] = ColumnType.NaiveDateTime,
                ["_utc"] = ColumnType.UtcDateTime,
                ["_binary"] = ColumnType.Binary,
                ["_xml"] = ColumnType.Xml,
                ["_str"] = ColumnType.String,
                ["_json"] = ColumnType.Json,
                // Only ever NULL, but declared, so the column is created.
                ["_null"] = ColumnType.String,
            },
        },
    ];

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        // The values are the ones Fivetran's example sends: numbers, text that the declared type
        // parses (the decimal, the dates), bytes, a JSON object and a NULL.
        await context.UpsertAsync(
            Table,
            new
            {
                _bool = true,
                _short = 15,
                _long = 132353453453635L,
                _dec = "105.34",
                _float = 10.4,
                _double = 1e-4,
                _ndate = "2007-12-03",
                _ndatetime = "2007-12-03T10:15:30",
                _utc = "2007-12-03T10:15:30.123Z",
                _binary = new byte[] { 0x00, 0x01, 0x02, 0x03 },
                _xml = "<tag>This is XML</tag>",
                _str = "This is a string",
                _json = new JsonObject { ["a"] = 10 },
                _null = (string?)null,
            },
            cancellationToken);

        await context.CheckpointAsync(context.State, cancellationToken);
    }
}
