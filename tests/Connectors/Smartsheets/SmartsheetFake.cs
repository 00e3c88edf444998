using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tributary.Connectors.Tests.Sources;

namespace Tributary.Connectors.Tests.Smartsheets;

/// <summary>A column of a fake sheet.</summary>
public sealed record FakeColumn(long Id, string Title, string Type, bool Primary = false);

/// <summary>A row of a fake sheet: cell values by column id.</summary>
public sealed record FakeRow(long Id, DateTimeOffset ModifiedAt, IReadOnlyDictionary<long, object?> Values);

/// <summary>A fake sheet.</summary>
public sealed class FakeSheet(long id, string name, IReadOnlyList<FakeColumn> columns)
{
    public long Id { get; } = id;

    public string Name { get; } = name;

    public IReadOnlyList<FakeColumn> Columns { get; } = columns;

    public ConcurrentDictionary<long, FakeRow> Rows { get; } = new();
}

/// <summary>
/// A fake of Smartsheet's API 2.0 (https://smartsheet.redoc.ly/): a Bearer access token; <c>GET /2.0/sheets/{id}</c>
/// with <c>rowsModifiedSince</c>, <c>columnIds</c>, <c>page</c> and <c>pageSize</c>, answering the sheet with its
/// <c>columns</c>, <c>totalRowCount</c> and <c>rows</c> of <c>cells</c> (<c>columnId</c>, <c>value</c>, <c>displayValue</c>);
/// <c>GET /2.0/reports/{id}</c> with virtual columns; errors as <c>{"errorCode", "message", "refId"}</c> (1002 for an
/// invalid token, 1006 for an unknown sheet).
/// </summary>
public sealed class SmartsheetFake : IAsyncDisposable
{
    private SmartsheetFake(FakeApi api) => Api = api;

    public FakeApi Api { get; }

    /// <summary>The token the fake accepts; change it to revoke the connection's.</summary>
    public string Token { get; set; } = "ll352u9jujauoqz4gstvsae05";

    public ConcurrentDictionary<long, FakeSheet> Sheets { get; } = new();

    /// <summary>Reports: each shows every row of the sheets it names.</summary>
    public ConcurrentDictionary<long, (string Name, long[] SheetIds)> Reports { get; } = new();

    public static async Task<SmartsheetFake> StartAsync()
    {
        SmartsheetFake? fake = null;
        var api = await FakeApi.StartAsync(app =>
        {
            app.MapGet("/2.0/sheets/{id:long}", (HttpRequest request, long id) => fake!.Sheet(request, id));
            app.MapGet("/2.0/reports/{id:long}", (HttpRequest request, long id) => fake!.Report(request, id));
        });
        fake = new SmartsheetFake(api);
        return fake;
    }

    public ValueTask DisposeAsync() => Api.DisposeAsync();

    private IResult Sheet(HttpRequest request, long id)
    {
        if (Unauthorized(request) is { } refused)
        {
            return refused;
        }

        if (!Sheets.TryGetValue(id, out var sheet))
        {
            return Error(404, 1006, "Not Found");
        }

        var since = request.Query["rowsModifiedSince"].FirstOrDefault() is { Length: > 0 } text
            ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal)
            : DateTimeOffset.MinValue;
        var columnIds = request.Query["columnIds"].FirstOrDefault() is { Length: > 0 } ids
            ? ids.Split(',').Select(i => long.Parse(i, CultureInfo.InvariantCulture)).ToHashSet()
            : null;
        var rows = sheet.Rows.Values.Where(r => r.ModifiedAt > since).OrderBy(r => r.Id).ToList();
        var (page, pageSize) = Paging(request);
        var body = new JsonObject
        {
            ["id"] = sheet.Id,
            ["name"] = sheet.Name,
            ["version"] = 7,
            ["totalRowCount"] = sheet.Rows.Count,
            ["accessLevel"] = "OWNER",
            ["columns"] = new JsonArray([.. sheet.Columns.Where(c => columnIds?.Contains(c.Id) != false).Select((c, index) => (JsonNode)new JsonObject
            {
                ["id"] = c.Id, ["index"] = index, ["title"] = c.Title, ["type"] = c.Type, ["primary"] = c.Primary,
            })]),
            ["rows"] = new JsonArray([.. rows.Skip((page - 1) * pageSize).Take(pageSize).Select(r => (JsonNode)new JsonObject
            {
                ["id"] = r.Id,
                ["rowNumber"] = rows.IndexOf(r) + 1,
                ["createdAt"] = Time(r.ModifiedAt.AddDays(-1)),
                ["modifiedAt"] = Time(r.ModifiedAt),
                ["cells"] = new JsonArray([.. r.Values.Where(v => columnIds?.Contains(v.Key) != false).Select(v => (JsonNode)Cell(v.Key, v.Value))]),
            })]),
        };
        return Results.Json(body);
    }

    private IResult Report(HttpRequest request, long id)
    {
        if (Unauthorized(request) is { } refused)
        {
            return refused;
        }

        if (!Reports.TryGetValue(id, out var report))
        {
            return Error(404, 1006, "Not Found");
        }

        var sheets = report.SheetIds.Select(s => Sheets[s]).ToList();
        // A report's columns are virtual: one per title across its sheets, with ids of their own.
        var titles = sheets.SelectMany(s => s.Columns).Select(c => c.Title).Distinct().ToList();
        var rows = sheets.SelectMany(s => s.Rows.Values.Select(r => (Sheet: s, Row: r))).OrderBy(x => x.Row.Id).ToList();
        var (page, pageSize) = Paging(request);
        return Results.Json(new JsonObject
        {
            ["id"] = id,
            ["name"] = report.Name,
            ["totalRowCount"] = rows.Count,
            ["columns"] = new JsonArray([.. titles.Select((t, i) => (JsonNode)new JsonObject { ["virtualId"] = 9000 + i, ["title"] = t, ["type"] = "TEXT_NUMBER" })]),
            ["rows"] = new JsonArray([.. rows.Skip((page - 1) * pageSize).Take(pageSize).Select(x => (JsonNode)new JsonObject
            {
                ["id"] = x.Row.Id,
                ["sheetId"] = x.Sheet.Id,
                ["cells"] = new JsonArray([.. x.Row.Values.Select(v =>
                {
                    var cell = Cell(v.Key, v.Value);
                    cell["virtualColumnId"] = 9000 + titles.IndexOf(x.Sheet.Columns.First(c => c.Id == v.Key).Title);
                    return (JsonNode)cell;
                })]),
            })]),
        });
    }

    private IResult? Unauthorized(HttpRequest request) =>
        request.Headers.Authorization.ToString() == $"Bearer {Token}" ? null : Error(401, 1002, "Your Access Token is invalid.");

    private static (int Page, int PageSize) Paging(HttpRequest request) => (
        int.Parse(request.Query["page"].FirstOrDefault() ?? "1", CultureInfo.InvariantCulture),
        int.Parse(request.Query["pageSize"].FirstOrDefault() ?? "100", CultureInfo.InvariantCulture));

    private static JsonObject Cell(long columnId, object? value) => new()
    {
        ["columnId"] = columnId,
        ["value"] = value switch
        {
            null => null,
            bool b => JsonValue.Create(b),
            decimal d => JsonValue.Create(d),
            long l => JsonValue.Create(l),
            _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
        },
        ["displayValue"] = value switch
        {
            null or bool => null,
            decimal d => d.ToString("#,0.00", CultureInfo.InvariantCulture),
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        },
    };

    private static string Time(DateTimeOffset time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static IResult Error(int status, int code, string message) =>
        Results.Json(new JsonObject { ["errorCode"] = code, ["message"] = message, ["refId"] = Guid.NewGuid().ToString("N")[..12] }, statusCode: status);
}
