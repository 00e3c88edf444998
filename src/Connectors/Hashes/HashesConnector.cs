using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Tributary.Sdk;

namespace Tributary.Connectors.Hashes;

/// <summary>A primary key made from the row itself: the SHA-1 of its values, for a source with no key.</summary>
[Connector("hashes", Description = "Keys rows by the SHA-1 hash of their values.")]
public sealed class HashesConnector : Connector
{
    private const string Table = "user";

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
    [
        new TableDefinition(Table)
        {
            PrimaryKey = ["hash_id"],
            Columns = new Dictionary<string, ColumnType>
            {
                ["first_name"] = ColumnType.String,
                ["last_name"] = ColumnType.String,
                ["email"] = ColumnType.String,
                ["updated_at"] = ColumnType.UtcDateTime,
            },
        },
    ];

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        // Any change to a value — a later updated_at, an email gone — gives a different hash, so a new row.
        Dictionary<string, object?>[] rows =
        [
            User("John", "Doe", "john.doe@example.com", "2007-12-03T10:15:30Z"),
            User("John", "Doe", "john.doe@example.com", "2008-02-13T03:30:50Z"),
            User("John", "Doe", null, "2008-02-13T03:30:50Z"),
            User("Joe", "Smith", null, "2014-05-10T00:00:30Z"),
            // This source row has no email field at all, which hashes differently from "email": null.
            new() { ["first_name"] = "Jane", ["last_name"] = "Dalton", ["updated_at"] = null },
        ];

        foreach (var row in rows)
        {
            row["hash_id"] = RowHash(row);
            await context.UpsertAsync(Table, row, cancellationToken);
        }

        await context.CheckpointAsync(context.State, cancellationToken);
    }

    /// <summary>
    /// The lower-case hex SHA-1 of the row as Python's <c>json.dumps(row, sort_keys=True)</c> writes it, so the
    /// keys match those of Fivetran's Python example.
    /// </summary>
    [SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms", Justification = "A content fingerprint that must equal the Python example's key, not a security measure.")]
    internal static string RowHash(IReadOnlyDictionary<string, object?> row)
    {
        var json = PythonJson.DumpsSorted(row);
        var hash = SHA1.HashData(Encoding.UTF8.GetBytes(json));
        return Convert.ToHexStringLower(hash);
    }

    private static Dictionary<string, object?> User(string firstName, string lastName, string? email, string updatedAt) => new()
    {
        ["first_name"] = firstName,
        ["last_name"] = lastName,
        ["email"] = email,
        ["updated_at"] = updatedAt,
    };
}
