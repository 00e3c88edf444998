using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.MultipleTablesWithCursors;

/// <summary>
/// A cursor per table, and per parent: the companies changed since <c>company_cursor</c>, then each known company's
/// departments changed since that company's own cursor in <c>department_cursor</c>. A department that changes under an
/// unchanged company is still read, and each cursor moves only when its own rows do.
/// </summary>
[Connector("multiple_tables_with_cursors", Description = "Companies and their departments, a cursor for companies and one per company for departments.")]
public sealed partial class MultipleTablesWithCursorsConnector : Connector
{
    private const string CompanyTable = "company";
    private const string DepartmentTable = "department";

    /// <summary>The cursor of a table never read: before every record.</summary>
    private const string Beginning = "0001-01-01T00:00:00Z";

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
    [
        new TableDefinition(CompanyTable)
        {
            PrimaryKey = ["company_id"],
            Columns = new Dictionary<string, ColumnType>
            {
                ["company_id"] = ColumnType.String,
                ["company_name"] = ColumnType.String,
                ["updatedAt"] = ColumnType.UtcDateTime,
                ["createdAt"] = ColumnType.UtcDateTime,
            },
        },
        new TableDefinition(DepartmentTable)
        {
            PrimaryKey = ["department_id", "company_id"],
            Columns = new Dictionary<string, ColumnType>
            {
                ["department_id"] = ColumnType.String,
                ["company_id"] = ColumnType.String,
                ["department_name"] = ColumnType.String,
                ["updatedAt"] = ColumnType.UtcDateTime,
                ["createdAt"] = ColumnType.UtcDateTime,
            },
        },
    ];

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var state = context.ReadState<Cursors>();
        using var client = new RestClient(context, new RestClientOptions { BaseAddress = context.Configuration.GetUri("base_url", "http://127.0.0.1:5001/") });

        // The parent table: companies changed since its cursor. Each one seen gets a department cursor, from the
        // beginning when it is new, so its departments are read below and on every later sync.
        var companies = 0;
        await foreach (var company in client.GetRecordsAsync(Changed("cursors/companies", state.CompanyCursor), cancellationToken: cancellationToken))
        {
            await context.UpsertAsync(CompanyTable, company, cancellationToken);
            state.CompanyCursor = company["updatedAt"]?.GetValue<string>() ?? state.CompanyCursor;
            state.DepartmentCursor.TryAdd(CompanyId(company), Beginning);
            companies++;
        }

        LogCompanies(context.Logger, companies, state.CompanyCursor);
        await context.CheckpointAsync(state, cancellationToken);

        // The child table: every known company's departments changed since that company's cursor, a checkpoint each.
        foreach (var companyId in state.DepartmentCursor.Keys.ToList())
        {
            var since = state.DepartmentCursor[companyId];
            var departments = 0;
            var path = $"cursors/{Uri.EscapeDataString(companyId)}/departments";
            await foreach (var department in client.GetRecordsAsync(Changed(path, since), cancellationToken: cancellationToken))
            {
                await context.UpsertAsync(DepartmentTable, department, cancellationToken);
                state.DepartmentCursor[companyId] = department["updatedAt"]?.GetValue<string>() ?? state.DepartmentCursor[companyId];
                departments++;
            }

            LogDepartments(context.Logger, companyId, departments, since);
            await context.CheckpointAsync(state, cancellationToken);
        }
    }

    /// <summary>The records of <paramref name="path"/> updated since <paramref name="cursor"/>, oldest update first.</summary>
    private static RestRequest Changed(string path, string cursor)
    {
        var request = new RestRequest(path) { RecordsPath = "data" };
        request.Query["order_by"] = "updatedAt";
        request.Query["order_type"] = "asc";
        request.Query["updated_since"] = cursor;
        return request;
    }

    private static string CompanyId(JsonObject company) =>
        company["company_id"]?.ToString() is { Length: > 0 } id
            ? id
            : throw new InvalidDataException($"A company has no company_id: {company.ToJsonString()}");

    /// <summary>The state, Fivetran's shape: <c>{"company_cursor": "…", "department_cursor": {"&lt;company_id&gt;": "…"}}</c>.</summary>
    internal sealed class Cursors
    {
        [JsonPropertyName("company_cursor")]
        public string CompanyCursor { get; set; } = Beginning;

        [JsonPropertyName("department_cursor")]
        public Dictionary<string, string> DepartmentCursor { get; set; } = new(StringComparer.Ordinal);
    }

    [LoggerMessage(EventId = 2240, Level = LogLevel.Information, Message = "Read {Count} changed companies; company cursor now {Cursor}")]
    private static partial void LogCompanies(ILogger logger, int count, string cursor);

    [LoggerMessage(EventId = 2241, Level = LogLevel.Information, Message = "Read {Count} departments of company {CompanyId} changed since {Since}")]
    private static partial void LogDepartments(ILogger logger, string companyId, int count, string since);
}
