using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tributary.Connectors.Tests.Sources;

namespace Tributary.Connectors.Tests.LargeDataSet;

/// <summary>
/// A fake of PokeAPI's named-resource list, <c>GET /api/v2/pokemon?offset=&amp;limit=</c>, as documented:
/// <c>{"count", "next", "previous", "results": [{"name", "url"}]}</c>, <c>next</c> and <c>previous</c> absolute URLs or null.
/// The body is written record by record and flushed as it goes, like a large response arriving over the network; a test can
/// hold it after some records until the connector proves it went on without the rest.
/// </summary>
internal sealed class PokeApiFake : IAsyncDisposable
{
    public const string ListPath = "/api/v2/pokemon";

    private FakeApi _api = null!;

    private PokeApiFake()
    {
    }

    /// <summary>How many entries the list has; raise it to add entries at its end.</summary>
    public int Count { get; set; }

    /// <summary>After this many records of a response, the fake awaits <see cref="Hold"/> before it writes the rest.</summary>
    public int HoldAfter { get; set; } = int.MaxValue;

    /// <summary>Awaited mid-response; answers whether the body may go on (false aborts the response).</summary>
    public Func<Task<bool>>? Hold { get; set; }

    /// <summary>What <see cref="Hold"/> answered, or null when no response was held.</summary>
    public bool? HoldReleased { get; private set; }

    public FakeApi Api => _api;

    /// <summary>The API root the connector's <c>base_url</c> points at.</summary>
    public Uri BaseUrl => new(_api.BaseUri, "api/v2/");

    public static async Task<PokeApiFake> StartAsync(int count)
    {
        var fake = new PokeApiFake { Count = count };
        fake._api = await FakeApi.StartAsync(app => app.MapGet(ListPath, fake.ListAsync));
        return fake;
    }

    public static string Name(int index) => $"pokemon-{index + 1:D5}";

    public ValueTask DisposeAsync() => _api.DisposeAsync();

    private async Task ListAsync(HttpContext http, int? offset, int? limit)
    {
        var from = Math.Max(0, offset ?? 0);
        var size = Math.Clamp(limit ?? 20, 1, 100_000);
        var count = Count;
        var root = $"{http.Request.Scheme}://{http.Request.Host}{ListPath}";
        var next = from + size < count ? string.Create(CultureInfo.InvariantCulture, $"{root}?offset={from + size}&limit={size}") : null;
        var previous = from > 0 ? string.Create(CultureInfo.InvariantCulture, $"{root}?offset={Math.Max(0, from - size)}&limit={size}") : null;

        http.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(http.Response.Body);
        json.WriteStartObject();
        json.WriteNumber("count", count);
        json.WriteString("next", next);
        json.WriteString("previous", previous);
        json.WriteStartArray("results");
        var written = 0;
        for (var index = from; index < Math.Min(count, from + size); index++)
        {
            json.WriteStartObject();
            json.WriteString("name", Name(index));
            json.WriteString("url", string.Create(CultureInfo.InvariantCulture, $"{root}/{index + 1}/"));
            json.WriteEndObject();
            if (++written % 250 == 0 || written == HoldAfter)
            {
                await json.FlushAsync(http.RequestAborted);
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

        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(http.RequestAborted);
    }
}
