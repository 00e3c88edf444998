using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tributary.Connectors.Tests.Sources;

namespace Tributary.Connectors.Tests.ExportCsv;

/// <summary>One user of the export.</summary>
internal sealed record ExportUser(string Id, string Name, string Email, string Address, string Company, string Job, DateTimeOffset UpdatedAt, DateTimeOffset CreatedAt);

/// <summary>
/// A fake of the Fivetran API playground's CSV export, <c>GET /export/csv</c> (<c>text/csv</c>, a header line, then
/// <c>id,name,email,address,company,job,updatedAt,createdAt</c>), with the filter a real export offers:
/// <c>updated_since</c> (inclusive), lines in <c>updatedAt</c> order. Addresses span two lines inside quotes, as the
/// playground's do. The body is written line by line and flushed as it goes; a test can hold it mid-file.
/// </summary>
internal sealed class CsvExportFake : IAsyncDisposable
{
    public const string Header = "id,name,email,address,company,job,updatedAt,createdAt";

    public static readonly DateTimeOffset Start = new(2024, 9, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, ExportUser> _users = new(StringComparer.Ordinal);
    private FakeApi _api = null!;

    private CsvExportFake()
    {
    }

    public FakeApi Api => _api;

    /// <summary>After this many lines, the fake awaits <see cref="Hold"/> before it writes the rest (false aborts).</summary>
    public int HoldAfter { get; set; } = int.MaxValue;

    public Func<Task<bool>>? Hold { get; set; }

    public bool? HoldReleased { get; private set; }

    public static async Task<CsvExportFake> StartAsync(int users)
    {
        var fake = new CsvExportFake();
        fake.Add(1, users);
        fake._api = await FakeApi.StartAsync(app => app.MapGet("/export/csv", fake.ExportAsync));
        return fake;
    }

    /// <summary>Adds users <paramref name="first"/>..<paramref name="first"/>+<paramref name="count"/>-1, user n updated at Start + n minutes.</summary>
    public void Add(int first, int count)
    {
        lock (_gate)
        {
            for (var n = first; n < first + count; n++)
            {
                var at = Start.AddMinutes(n);
                _users[Id(n)] = new ExportUser(Id(n), "User " + n, $"user{n}@example.com", $"{n} Main St\nSpringfield, IL 62701", "Acme, Inc.", "Engineer", at, at);
            }
        }
    }

    /// <summary>Changes user <paramref name="n"/>'s job and moves its <c>updatedAt</c> to <paramref name="at"/>.</summary>
    public void Change(int n, string job, DateTimeOffset at)
    {
        lock (_gate)
        {
            _users[Id(n)] = _users[Id(n)] with { Job = job, UpdatedAt = at };
        }
    }

    public IReadOnlyList<ExportUser> Users()
    {
        lock (_gate)
        {
            return [.. _users.Values.OrderBy(u => u.Id, StringComparer.Ordinal)];
        }
    }

    public static string Id(int n) => $"u-{n:D5}";

    /// <summary>The export's text for <paramref name="users"/>: what the fake serves.</summary>
    public static string Text(IEnumerable<ExportUser> users) => Header + "\r\n" + string.Concat(users.Select(Line));

    public ValueTask DisposeAsync() => _api.DisposeAsync();

    private async Task ExportAsync(HttpContext http, string? updated_since)
    {
        DateTimeOffset? since = null;
        if (updated_since is not null)
        {
            if (!DateTimeOffset.TryParse(updated_since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                http.Response.StatusCode = StatusCodes.Status400BadRequest;
                await http.Response.WriteAsync("updated_since must be an ISO-8601 time", http.RequestAborted);
                return;
            }

            since = parsed;
        }

        ExportUser[] lines;
        lock (_gate)
        {
            lines = [.. _users.Values.Where(u => since is null || u.UpdatedAt >= since).OrderBy(u => u.UpdatedAt).ThenBy(u => u.Id, StringComparer.Ordinal)];
        }

        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = "attachment; filename=\"users.csv\"";
        await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(false));
        await writer.WriteAsync(Header + "\r\n");
        var written = 0;
        foreach (var user in lines)
        {
            await writer.WriteAsync(Line(user));
            if (++written % 200 == 0 || written == HoldAfter)
            {
                await writer.FlushAsync(http.RequestAborted);
            }

            if (written == HoldAfter && Hold is not null)
            {
                HoldReleased = await Hold();
                if (HoldReleased == false)
                {
                    http.Abort();
                    return;
                }
            }
        }

        await writer.FlushAsync(http.RequestAborted);
    }

    private static string Line(ExportUser u) => string.Join(
        ',',
        u.Id,
        Quote(u.Name),
        Quote(u.Email),
        Quote(u.Address),
        Quote(u.Company),
        Quote(u.Job),
        u.UpdatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        u.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)) + "\r\n";

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
