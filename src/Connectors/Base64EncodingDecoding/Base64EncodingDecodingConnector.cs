using System.Text;
using Tributary.Sdk;

namespace Tributary.Connectors.Base64EncodingDecoding;

/// <summary>Encodes a record's values as base64 and decodes them back, writing both forms.</summary>
[Connector("base_64_encoding_decoding", Description = "Writes a user record base64-encoded and decoded.")]
public sealed class Base64EncodingDecodingConnector : Connector
{
    private const string Table = "user";

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
    [
        new TableDefinition(Table)
        {
            PrimaryKey = ["id"],
            Columns = new Dictionary<string, ColumnType>
            {
                ["id"] = ColumnType.String,
                ["name"] = ColumnType.String,
                ["email"] = ColumnType.String,
            },
        },
    ];

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var userInfo = new Dictionary<string, string>
        {
            ["id"] = "12345",
            ["name"] = "John Doe",
            ["email"] = "john.doe@example.com",
        };

        // Every value as base64 of its UTF-8 bytes; the encoded id is a different key, so a second row.
        var encoded = Transform(userInfo, static value => Convert.ToBase64String(Encoding.UTF8.GetBytes(value)));
        await context.UpsertAsync(Table, AsRow(encoded), cancellationToken);

        // And back again: the original values.
        var decoded = Transform(encoded, static value => Encoding.UTF8.GetString(Convert.FromBase64String(value)));
        await context.UpsertAsync(Table, AsRow(decoded), cancellationToken);

        await context.CheckpointAsync(context.State, cancellationToken);
    }

    private static Dictionary<string, string> Transform(Dictionary<string, string> row, Func<string, string> transform) =>
        row.ToDictionary(pair => pair.Key, pair => transform(pair.Value), StringComparer.Ordinal);

    private static Dictionary<string, object?> AsRow(Dictionary<string, string> row) =>
        row.ToDictionary(pair => pair.Key, pair => (object?)pair.Value, StringComparer.Ordinal);
}
