using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tributary.Sdk.Http;

/// <summary>
/// The HTTP toolkit against a paginated API on this machine, in a process of its own: N records, 1,000 a page, every
/// request answered after 5 ms (or --latency). Four readers take every record as a <see cref="JsonObject"/>:
///   raw        — an <see cref="HttpClient"/> loop: GET a page, parse it, take its <c>data</c> array, stop at <c>total_pages</c>;
///   toolkit    — <see cref="RestClient.GetRecordsAsync"/> with a <see cref="PageNumberPaginator"/>: the same requests, streamed;
///   concurrent — <see cref="RestClient.GetRecordsConcurrentlyAsync"/> with 8 fetchers;
///   raw-concurrent — the raw loop's requests and parsing, 8 at once and in no particular order (Parallel.ForEachAsync):
///                what this machine allows 8 requests at once, without the toolkit.
/// Two more read every record as a typed <see cref="Customer"/>:
///   raw-typed  — the raw loop, each page deserialised as a whole;
///   typed      — <see cref="RestClient.GetRecordsAsync{T}"/>, streamed.
/// Each runs three times, interleaved, and the median is reported, with the reader's CPU seconds: a paginated stream waits
/// on the API most of the time, so its seconds hide what the toolkit costs and its CPU shows it. Usage: dotnet run -c Release --project bench/Tributary.Bench -- --http [--records N] [--page-size N] [--latency MS]
/// </summary>
internal static class HttpScenarios
{
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    public static async Task<int> RunAsync(long records, int pageSize, TimeSpan latency)
    {
        using var api = StartApi(records, pageSize, latency, out var baseUri);
        try
        {
            await MeasureReadersAsync(baseUri, records, pageSize, latency);
            return 0;
        }
        finally
        {
            api.StandardInput.Close();
            await api.WaitForExitAsync();
        }
    }

    private static async Task MeasureReadersAsync(Uri baseUri, long records, int pageSize, TimeSpan latency)
    {
        var pages = (records + pageSize - 1) / pageSize;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Tributary HTTP bench: {records:N0} records, {pageSize:N0} a page ({pages:N0} pages), {latency.TotalMilliseconds} ms a request, {Environment.ProcessorCount} cores, .NET {Environment.Version}"));

        var runs = new Dictionary<string, List<(double Seconds, double CpuSeconds, double BytesPerRecord)>>
        {
            ["raw"] = [], ["toolkit"] = [], ["concurrent"] = [], ["raw-concurrent"] = [], ["raw-typed"] = [], ["typed"] = [],
        };
        for (var round = 0; round < 3; round++)
        {
            runs["raw"].Add(await MeasureAsync(records, () => RawAsync(baseUri, pageSize)));
            runs["toolkit"].Add(await MeasureAsync(records, () => ToolkitAsync(baseUri, pageSize)));
            runs["concurrent"].Add(await MeasureAsync(records, () => ConcurrentAsync(baseUri, pageSize)));
            runs["raw-concurrent"].Add(await MeasureAsync(records, () => RawConcurrentAsync(baseUri, pageSize)));
            runs["raw-typed"].Add(await MeasureAsync(records, () => RawTypedAsync(baseUri, pageSize)));
            runs["typed"].Add(await MeasureAsync(records, () => TypedAsync(baseUri, pageSize)));
        }

        Console.WriteLine();
        Console.WriteLine("reader           records/s   seconds (3 runs)          CPU seconds   allocated/record");
        var medians = new Dictionary<string, (double Seconds, double Cpu)>();
        foreach (var (name, results) in runs)
        {
            var median = medians[name] = (results.Select(r => r.Seconds).Order().ElementAt(1), results.Select(r => r.CpuSeconds).Order().ElementAt(1));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-14}  {records / median.Seconds,10:N0}   {string.Join(" / ", results.Select(r => r.Seconds.ToString("N2", CultureInfo.InvariantCulture))),-24}  {median.Cpu,11:N2}  {results.Select(r => r.BytesPerRecord).Order().ElementAt(1),8:N0} B"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"toolkit overhead against the raw loop: {Overhead("toolkit", "raw")}; concurrent (8 fetchers) / single stream: {medians["toolkit"].Seconds / medians["concurrent"].Seconds:N1}x (the raw loop 8 at once: {medians["raw"].Seconds / medians["raw-concurrent"].Seconds:N1}x)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"typed toolkit overhead against the raw typed loop: {Overhead("typed", "raw-typed")}"));

        string Overhead(string reader, string raw) => string.Create(CultureInfo.InvariantCulture,
            $"{(medians[reader].Seconds - medians[raw].Seconds) / medians[raw].Seconds:P1} in seconds, {(medians[reader].Cpu - medians[raw].Cpu) / medians[raw].Cpu:P1} in CPU");
    }

    // The reader's seconds, and its CPU seconds and bytes allocated a record: the readers' alone, as the API has its own process.
    private static async Task<(double Seconds, double CpuSeconds, double BytesPerRecord)> MeasureAsync(long expected, Func<Task<long>> read)
    {
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var count = await read();
        var seconds = clock.Elapsed.TotalSeconds;
        if (count != expected)
        {
            throw new InvalidOperationException($"Read {count} records, expected {expected}.");
        }

        process.Refresh();
        return (seconds, (process.TotalProcessorTime - cpu).TotalSeconds, (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)count);
    }

    private static Task<long> RawAsync(Uri baseUri, int pageSize) => RawLoopAsync(baseUri, pageSize, ReadRawPageAsync);

    private static async Task<(long Records, int TotalPages)> ReadRawPageAsync(Stream body)
    {
        var json = await JsonSerializer.DeserializeAsync<JsonObject>(body);
        long records = 0;
        foreach (var record in json!["data"]!.AsArray())
        {
            records += record is JsonObject { Count: > 0 } ? 1 : 0;   // each record read, as the toolkit readers read theirs
        }

        return (records, json["meta"]!["total_pages"]!.GetValue<int>());
    }

    private static async Task<long> RawConcurrentAsync(Uri baseUri, int pageSize)
    {
        using var http = new HttpClient { BaseAddress = baseUri };
        var (count, totalPages) = await RawPageAsync(http, 1, pageSize, ReadRawPageAsync);
        await Parallel.ForEachAsync(Enumerable.Range(2, totalPages - 1), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (page, _) =>
        {
            var (records, _) = await RawPageAsync(http, page, pageSize, ReadRawPageAsync);
            Interlocked.Add(ref count, records);
        });
        return count;
    }

    private static Task<long> RawTypedAsync(Uri baseUri, int pageSize) => RawLoopAsync(baseUri, pageSize, async body =>
    {
        var customers = await JsonSerializer.DeserializeAsync<CustomerPage>(body, WebJson);
        return (customers!.Data.Count(customer => customer.Id > 0), customers.Meta.TotalPages);
    });

    // An HttpClient loop: GET each page in turn, until the last one the API names.
    private static async Task<long> RawLoopAsync(Uri baseUri, int pageSize, Func<Stream, Task<(long Records, int TotalPages)>> readPage)
    {
        using var http = new HttpClient { BaseAddress = baseUri };
        long count = 0;
        for (var page = 1; ; page++)
        {
            var (records, totalPages) = await RawPageAsync(http, page, pageSize, readPage);
            count += records;
            if (page >= totalPages)
            {
                return count;
            }
        }
    }

    // One page of the raw loops: GET it, and readPage reads its records and total.
    private static async Task<(long Records, int TotalPages)> RawPageAsync(HttpClient http, int page, int pageSize, Func<Stream, Task<(long Records, int TotalPages)>> readPage)
    {
        using var response = await http.GetAsync(new Uri($"records?page={page}&per_page={pageSize}", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        return await readPage(body);
    }

    private static async Task<long> TypedAsync(Uri baseUri, int pageSize)
    {
        using var client = new RestClient(new RestClientOptions { BaseAddress = baseUri });
        long count = 0;
        await foreach (var customer in client.GetRecordsAsync<Customer>(Request(), Paginator(pageSize)))
        {
            count += customer.Id > 0 ? 1 : 0;
        }

        return count;
    }

    private static async Task<long> ToolkitAsync(Uri baseUri, int pageSize)
    {
        using var client = new RestClient(new RestClientOptions { BaseAddress = baseUri });
        long count = 0;
        await foreach (var record in client.GetRecordsAsync(Request(), Paginator(pageSize)))
        {
            count += record.Count > 0 ? 1 : 0;
        }

        return count;
    }

    private static async Task<long> ConcurrentAsync(Uri baseUri, int pageSize)
    {
        using var client = new RestClient(new RestClientOptions { BaseAddress = baseUri });
        long count = 0;
        await foreach (var record in client.GetRecordsConcurrentlyAsync(Request(), Paginator(pageSize), fetchers: 8))
        {
            count += record.Count > 0 ? 1 : 0;
        }

        return count;
    }

    private static RestRequest Request() => new("records") { RecordsPath = "data" };

    private static PageNumberPaginator Paginator(int pageSize) => new() { PageSize = pageSize, PageSizeParameter = "per_page", TotalPagesPath = "meta.total_pages" };

    /// <summary>
    /// Serves the API until standard input closes, after printing its address. A process of its own, as a real source is on
    /// machines of its own: it shares the cores with the readers, not their thread pool, timers or heap. Every page is
    /// rendered before the address is printed (1,000 pages of 1,000 records: about 140 MB), so the cores measure the
    /// readers, not the server's JSON writer.
    /// </summary>
    public static async Task<int> ServeAsync(long records, int pageSize, TimeSpan latency)
    {
        var pages = (int)((records + pageSize - 1) / pageSize);
        var bodies = new byte[pages][];
        for (var page = 1; page <= pages; page++)
        {
            bodies[page - 1] = Render(page, pages, records, pageSize);
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        await using var app = builder.Build();
        app.MapGet("/records", async (HttpContext context, int page, int per_page) =>
        {
            if (per_page != pageSize || page < 1 || page > pages)
            {
                context.Response.StatusCode = 400;
                return;
            }

            await Task.Delay(latency);
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(bodies[page - 1]);
        });
        await app.StartAsync();
        Console.WriteLine(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        await Console.In.ReadToEndAsync();
        return 0;
    }

    // The API's process: closing its standard input ends it.
    private static Process StartApi(long records, int pageSize, TimeSpan latency, out Uri baseUri)
    {
        var start = Parent.StartInfo();
        start.RedirectStandardInput = true;
        foreach (var argument in new[] { "--http-api", "--records", records.ToString(CultureInfo.InvariantCulture), "--page-size", pageSize.ToString(CultureInfo.InvariantCulture), "--latency", latency.TotalMilliseconds.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var address = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("The API process ended before it printed its address.");
        baseUri = new Uri(address.TrimEnd('/') + "/");
        return process;
    }

    private static byte[] Render(int page, int pages, long records, int pageSize)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("meta");
            writer.WriteNumber("page", page);
            writer.WriteNumber("total_pages", pages);
            writer.WriteEndObject();
            writer.WriteStartArray("data");
            var first = ((long)page - 1) * pageSize;
            for (var id = first + 1; id <= Math.Min(first + pageSize, records); id++)
            {
                writer.WriteStartObject();
                writer.WriteNumber("id", id);
                writer.WriteString("name", "customer " + id.ToString(CultureInfo.InvariantCulture));
                writer.WriteString("email", "customer" + id.ToString(CultureInfo.InvariantCulture) + "@example.com");
                writer.WriteNumber("amount", (id % 10_000) / 100m);
                writer.WriteBoolean("active", id % 3 != 0);
                writer.WriteString("updated_at", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(id));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>A record of the API, as a typed reader takes it.</summary>
    internal sealed record Customer(long Id, string Name, string Email, decimal Amount, bool Active, [property: JsonPropertyName("updated_at")] DateTimeOffset UpdatedAt);

    private sealed record CustomerPage(CustomerPageMeta Meta, List<Customer> Data);

    private sealed record CustomerPageMeta([property: JsonPropertyName("total_pages")] int TotalPages);
}
