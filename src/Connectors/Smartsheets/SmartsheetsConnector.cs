using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.Smartsheets;

/// <summary>
/// Configured Smartsheet sheets and reports, one table each. A sheet is read incrementally with
/// <c>rowsModifiedSince</c>; rows deleted from it are found by its <c>totalRowCount</c> and soft-deleted. A report is
/// read whole each sync and rows that left it are soft-deleted.
/// </summary>
[Connector("smartsheets", Description = "Smartsheet sheets incrementally by rowsModifiedSince and reports in full, with deleted rows detected.")]
public sealed partial class SmartsheetsConnector : Connector
{
    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration)
    {
        var settings = SmartsheetSettings.Read(configuration);
        return settings.Sheets.Concat(settings.Reports).Select(item => new TableDefinition(item.Table)
        {
            PrimaryKey = ["id"],
            Columns = new Dictionary<string, ColumnType> { ["id"] = ColumnType.String },
        });
    }

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = SmartsheetSettings.Read(context.Configuration);
        var state = context.ReadState<SmartsheetState>();
        var token = await context.GetSecretAsync("api_token", cancellationToken);
        using var client = new RestClient(context, new RestClientOptions
        {
            BaseAddress = settings.BaseUrl,
            Authenticator = new BearerAuthenticator(token),
            // Smartsheet allows 300 requests a minute per token; the original defaults to 60.
            RequestsPerSecond = settings.RequestsPerMinute / 60.0,
        });

        foreach (var (id, table) in settings.Sheets)
        {
            await SyncSheetAsync(context, client, settings, state, id, table, cancellationToken);
        }

        foreach (var (id, table) in settings.Reports)
        {
            await SyncReportAsync(context, client, settings, state, id, table, cancellationToken);
        }
    }

    private static async Task SyncSheetAsync(
        SyncContext context, RestClient client, SmartsheetSettings settings, SmartsheetState state, string sheetId, string table, CancellationToken cancellationToken)
    {
        var sheetState = state.SheetStates.GetValueOrDefault(sheetId) ?? new SheetState();
        var request = new RestRequest($"sheets/{sheetId}") { RecordsPath = "rows" };
        if (sheetState.LastModified is not null)
        {
            request.Query["rowsModifiedSince"] = sheetState.LastModified;
        }

        var current = new HashSet<string>(sheetState.RowIds, StringComparer.Ordinal);
        var latest = sheetState.LastModified;
        long? total = null;
        string? primaryColumn = null;
        Dictionary<string, (string Name, string Type)>? columns = null;
        await foreach (var page in client.GetPagesAsync(request, Pages(settings), cancellationToken))
        {
            columns ??= SmartsheetRows.Columns(page.Envelope, "id");
            total ??= page.Envelope["totalRowCount"]?.GetValue<long>();
            primaryColumn ??= page.Envelope["columns"]?.AsArray().FirstOrDefault(c => c?["primary"]?.GetValue<bool>() == true)?["id"]?.ToJsonString();
            var identity = new JsonObject { ["sheet_id"] = sheetId, ["sheet_name"] = page.Envelope["name"]?.DeepClone() };
            foreach (var row in page.Records)
            {
                await context.UpsertAsync(table, SmartsheetRows.From(row, columns, "columnId", identity), cancellationToken);
                current.Add(row["id"]!.ToJsonString());
                if (row["modifiedAt"]?.GetValue<string>() is { } modified && string.CompareOrdinal(modified, latest) > 0)
                {
                    latest = modified;
                }
            }

            // Commits the page; the sheet's cursor moves only once the sheet is read.
            await context.CheckpointAsync(state, cancellationToken);
        }

        // Rows known or just changed, against the rows the sheet has: fewer there means some were deleted. Only then
        // are all row ids read, with a single column's cells to keep it light.
        if (total is { } count && count != current.Count)
        {
            var present = await RowIdsAsync(client, settings, sheetId, primaryColumn, cancellationToken);
            var deleted = current.Where(rowId => !present.Contains(rowId)).ToList();
            foreach (var rowId in deleted)
            {
                await context.DeleteAsync(table, new JsonObject { ["id"] = SmartsheetRows.Key(rowId) }, cancellationToken);
            }

            LogDeleted(context.Logger, table, deleted.Count);
            current = present;
        }

        state.SheetStates[sheetId] = new SheetState { LastModified = latest, RowIds = [.. current.Order(StringComparer.Ordinal)] };
        state.LastModified = state.SheetStates.Values.Select(s => s.LastModified).Where(s => s is not null).Max(StringComparer.Ordinal);
        await context.CheckpointAsync(state, cancellationToken);
    }

    private static async Task<HashSet<string>> RowIdsAsync(
        RestClient client, SmartsheetSettings settings, string sheetId, string? primaryColumn, CancellationToken cancellationToken)
    {
        var request = new RestRequest($"sheets/{sheetId}") { RecordsPath = "rows" };
        if (primaryColumn is not null)
        {
            request.Query["columnIds"] = primaryColumn;
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in client.GetRecordsAsync(request, Pages(settings), cancellationToken))
        {
            ids.Add(row["id"]!.ToJsonString());
        }

        return ids;
    }

    private static async Task SyncReportAsync(
        SyncContext context, RestClient client, SmartsheetSettings settings, SmartsheetState state, string reportId, string table, CancellationToken cancellationToken)
    {
        var previous = state.ReportStates.GetValueOrDefault(reportId)?.RowIds ?? [];
        var current = new HashSet<string>(StringComparer.Ordinal);
        Dictionary<string, (string Name, string Type)>? columns = null;
        await foreach (var page in client.GetPagesAsync(new RestRequest($"reports/{reportId}") { RecordsPath = "rows" }, Pages(settings), cancellationToken))
        {
            columns ??= SmartsheetRows.Columns(page.Envelope, "virtualId");
            var identity = new JsonObject { ["report_id"] = reportId, ["report_name"] = page.Envelope["name"]?.DeepClone() };
            foreach (var row in page.Records)
            {
                await context.UpsertAsync(table, SmartsheetRows.From(row, columns, "virtualColumnId", identity), cancellationToken);
                current.Add(row["id"]!.ToJsonString());
            }

            await context.CheckpointAsync(state, cancellationToken);
        }

        // A report has no rowsModifiedSince: it is read whole, and a row missing from it has left it.
        var deleted = previous.Where(rowId => !current.Contains(rowId)).ToList();
        foreach (var rowId in deleted)
        {
            await context.DeleteAsync(table, new JsonObject { ["id"] = SmartsheetRows.Key(rowId) }, cancellationToken);
        }

        LogDeleted(context.Logger, table, deleted.Count);
        state.ReportStates[reportId] = new ReportState { RowIds = [.. current.Order(StringComparer.Ordinal)] };
        await context.CheckpointAsync(state, cancellationToken);
    }

    private static PageNumberPaginator Pages(SmartsheetSettings settings) =>
        new() { PageSizeParameter = "pageSize", PageSize = settings.PageSize };

    [LoggerMessage(EventId = 2430, Level = LogLevel.Information, Message = "{Table}: {Deleted} rows deleted at the source")]
    private static partial void LogDeleted(ILogger logger, string table, int deleted);
}
