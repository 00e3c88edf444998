using Tributary.Sdk;

namespace Tributary.Connectors.Accelo;

/// <summary>One Accelo resource synced to one table.</summary>
/// <param name="Name">The resource's path under <c>/api/v0/</c> and the table's name.</param>
/// <param name="StateKey">Its cursor's key in state, as the Fivetran original names it.</param>
/// <param name="DateField">The field it is filtered (<c>_filters=&lt;field&gt;_after(unix)</c>) and ordered by.</param>
/// <param name="Columns">The fields requested with <c>_fields</c>, and their destination types.</param>
internal sealed record AcceloEntity(string Name, string StateKey, string DateField, IReadOnlyDictionary<string, ColumnType> Columns);

/// <summary>The six resources the original syncs, with its fields and types.</summary>
internal static class AcceloEntities
{
    private static readonly ColumnType Int = ColumnType.Int;
    private static readonly ColumnType Float = ColumnType.Float;
    private static readonly ColumnType Text = ColumnType.String;
    private static readonly ColumnType Time = ColumnType.UtcDateTime;

    public static IReadOnlyList<AcceloEntity> All { get; } =
    [
        new("companies", "last_company_sync", "date_modified", Columns(
            ("id", Int), ("name", Text), ("website", Text), ("phone", Text), ("date_created", Time), ("date_modified", Time),
            ("date_last_interacted", Time), ("comments", Text), ("standing", Text), ("status", Int), ("postal_address", Int),
            ("default_affiliation", Int))),
        new("invoices", "last_invoice_sync", "date_modified", Columns(
            ("id", Int), ("subject", Text), ("amount", Float), ("against_type", Text), ("against_id", Int), ("notes", Text),
            ("invoice_number", Int), ("currency_id", Int), ("owner_id", Int), ("tax", Float), ("outstanding", Float),
            ("modified_by", Int), ("date_raised", Time), ("date_due", Time), ("date_modified", Time))),
        new("payments", "last_payment_sync", "date_created", Columns(
            ("id", Int), ("receipt_id", Int), ("amount", Float), ("currency_id", Int), ("method_id", Int), ("against_id", Int),
            ("against_type", Text), ("date_created", Time), ("created_by_staff_id", Int), ("direction", Text),
            ("payment_currency", Int), ("payment_method", Int), ("payment_receipt", Int))),
        new("prospects", "last_prospect_sync", "date_modified", Columns(
            ("id", Int), ("title", Text), ("date_created", Time), ("date_actioned", Time), ("date_due", Time),
            ("date_last_interacted", Time), ("date_modified", Time), ("weighting", Int), ("value", Float),
            ("success", ColumnType.Boolean), ("comments", Text), ("progress", Float), ("value_weighted", Int), ("won_by_id", Int),
            ("cancelled_by_id", Int), ("abandoned_by_id", Int), ("contact", Int), ("manager", Int), ("prospect_type", Int),
            ("status", Int), ("standing", Text), ("prospect_probability", Int), ("affiliation", Int))),
        new("jobs", "last_job_sync", "date_modified", Columns(
            ("id", Int), ("title", Text), ("status", Int), ("standing", Text), ("date_created", Time), ("date_started", Time),
            ("date_due", Time), ("date_completed", Time), ("date_modified", Time), ("manager", Int), ("company", Int),
            ("contact", Int), ("description", Text), ("value", Float))),
        new("staff", "last_staff_sync", "date_modified", Columns(
            ("id", Int), ("firstname", Text), ("surname", Text), ("email", Text), ("position", Text), ("title", Text),
            ("date_created", Time), ("date_modified", Time), ("status", Int))),
    ];

    private static Dictionary<string, ColumnType> Columns(params (string Name, ColumnType Type)[] columns) =>
        columns.ToDictionary(c => c.Name, c => c.Type, StringComparer.Ordinal);
}
