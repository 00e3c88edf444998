using Tributary.Sdk;

namespace Tributary.Runtime.Schema;

/// <summary>
/// The names of the columns the runtime adds to every table: when a row was written, whether it is
/// soft-deleted, and the surrogate key of keyless tables.
/// </summary>
public sealed record SystemColumns
{
    /// <summary>Tributary's own prefix: <c>_tributary_synced</c>, <c>_tributary_deleted</c>, <c>_tributary_id</c>.</summary>
    public static SystemColumns Tributary { get; } = new("_tributary");

    /// <summary>Fivetran's names, so models written against Fivetran tables keep working.</summary>
    public static SystemColumns Fivetran { get; } = new("_fivetran");

    private SystemColumns(string prefix)
    {
        Prefix = prefix;
        Synced = prefix + "_synced";
        Deleted = prefix + "_deleted";
        Id = prefix + "_id";
    }

    /// <summary>The prefix, <c>_tributary</c> or <c>_fivetran</c>.</summary>
    public string Prefix { get; }

    /// <summary>UTC time the row was last written (UTC_DATETIME).</summary>
    public string Synced { get; }

    /// <summary>Soft-delete flag (BOOLEAN).</summary>
    public string Deleted { get; }

    /// <summary>Surrogate key of a keyless table (STRING): a stable hash of the row's values.</summary>
    public string Id { get; }

    /// <summary>The synced and deleted columns every table ends with.</summary>
    public IEnumerable<ColumnSchema> Trailing() =>
        [new ColumnSchema(Synced, ColumnType.UtcDateTime), new ColumnSchema(Deleted, ColumnType.Boolean)];

    /// <summary>The system columns by prefix name: <c>tributary</c> or <c>fivetran</c>.</summary>
    /// <exception cref="ArgumentException">Neither name.</exception>
    public static SystemColumns FromName(string name) => name.ToLowerInvariant() switch
    {
        "tributary" or "_tributary" => Tributary,
        "fivetran" or "_fivetran" => Fivetran,
        _ => throw new ArgumentException($"Unknown system column prefix '{name}'; expected 'tributary' or 'fivetran'.", nameof(name)),
    };
}
