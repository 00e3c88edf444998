using System.Text.Json.Nodes;
using Tributary.Sdk;

namespace Tributary.Connectors.UnspecifiedTypes;

/// <summary>Declares only the key; every column's type is inferred from its first non-null value.</summary>
[Connector("unspecified_types", Description = "Writes one row of many kinds of value with every type inferred.")]
public sealed class UnspecifiedTypesConnector : Connector
{
    private const string Table = "unspecified";

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
        [new TableDefinition(Table) { PrimaryKey = ["id"] }];

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        // The same values as specified_types. With nothing declared, each column takes the type of its
        // CLR value: text stays text (the decimal and the dates below become STRING columns), and
        // _null, only ever NULL, is not created at all.
        await context.UpsertAsync(
            Table,
            new
            {
                id = 1,
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
