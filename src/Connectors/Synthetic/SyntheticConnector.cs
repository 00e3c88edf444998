using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Web;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.Synthetic;

/// <summary>
/// Generates a configurable number of deterministic rows, as plain upserts or interleaved with updates and deletes of
/// earlier keys (a change feed's shape) or as wide JSON records read from pages (a REST API's shape), into one table or
/// spread over many (a database's shape); the benchmark and load-test source.
/// </summary>
[Connector("synthetic", Description = "Generates N deterministic rows into synthetic_rows; the benchmark source.")]
public sealed class SyntheticConnector : Connector
{
    private const string Table = "synthetic_rows";
    private const string RowsKey = "rows";
    private const string CheckpointEveryKey = "checkpoint_every";
    private const string ShapeKey = "shape";
    private const string TablesKey = "tables";
    private const string NextKey = "next";

    /// <summary>Rows generated when <c>rows</c> is not configured.</summary>
    internal const long DefaultRows = 1000;

    /// <summary>Rows between checkpoints when <c>checkpoint_every</c> is not configured.</summary>
    internal const long DefaultCheckpointEvery = 10_000;

    /// <summary>The <c>created_at</c> of row 0; row i is i seconds later.</summary>
    internal static readonly DateTimeOffset Epoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Fields of an <c>api</c> record beside <c>id</c>: <c>field_1</c> to <c>field_49</c>.</summary>
    internal const int ApiFields = 49;

    /// <summary>Records in a page of the <c>api</c> shape.</summary>
    internal const int ApiPageSize = 1000;

    private static readonly JsonEncodedText[] ApiFieldNames = [.. Enumerable.Range(0, ApiFields + 1).Select(k => JsonEncodedText.Encode(k == 0 ? "id" : string.Create(CultureInfo.InvariantCulture, $"field_{k}")))];

    private enum Shape
    {
        Upserts,
        Interleaved,
        Api,
    }

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration)
    {
        var settings = ReadSettings(configuration);

        // Every column declared, so on the hot path the runtime checks types and infers nothing; the api shape declares its
        // key only, as a port of a REST source does, and its columns are inferred from the records.
        return Enumerable.Range(0, settings.Tables).Select(t => new TableDefinition(TableName(t, settings.Tables))
        {
            PrimaryKey = ["id"],
            Columns = settings.Shape == Shape.Api ? new Dictionary<string, ColumnType> { ["id"] = ColumnType.Long } : new Dictionary<string, ColumnType>
            {
                ["id"] = ColumnType.Long,
                ["name"] = ColumnType.String,
                ["amount"] = ColumnType.Double,
                ["flag"] = ColumnType.Boolean,
                ["created_at"] = ColumnType.UtcDateTime,
            },
        });
    }

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var (rows, checkpointEvery, shape, tables) = ReadSettings(context.Configuration);
        var next = context.State[NextKey]?.GetValue<long>() ?? 0;
        if (next < 0)
        {
            throw new InvalidOperationException(
                string.Create(CultureInfo.InvariantCulture, $"State '{NextKey}' is {next}; it must be 0 or more. Reset the connector."));
        }

        var names = Enumerable.Range(0, tables).Select(t => TableName(t, tables)).ToArray();
        Func<long, string> tableOf = key => names[TableOf(key, rows, tables)];
        long sinceCheckpoint = 0;

        // The api shape reads its records through the SDK's REST client, as a REST connector does, from pages served in process.
        using var api = shape == Shape.Api ? new RestClient(context, new RestClientOptions { BaseAddress = ApiPages.Address }, new ApiPages(rows)) : null;
        await using var records = api?.GetRecordsAsync(new RestRequest("records"), new OffsetPaginator { Limit = ApiPageSize, StartOffset = next }, cancellationToken)
            .GetAsyncEnumerator(cancellationToken);
        for (var i = next; i < rows; i++)
        {
            var row = records is null ? Row(i)
                : await records.MoveNextAsync() ? records.Current
                : throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"The api pages ended at record {i} of {rows}."));
            await context.UpsertAsync(tableOf(i), row, cancellationToken);
            if (shape == Shape.Interleaved)
            {
                await InterleaveAsync(context, i, tableOf, cancellationToken);
            }

            if (++sinceCheckpoint == checkpointEvery)
            {
                await context.CheckpointAsync(new JsonObject { [NextKey] = i + 1 }, cancellationToken);
                sinceCheckpoint = 0;
            }
        }

        // After the last row; also when nothing was left to write, so every sync ends with a checkpoint.
        if (sinceCheckpoint > 0 || next >= rows)
        {
            await context.CheckpointAsync(new JsonObject { [NextKey] = Math.Max(next, rows) }, cancellationToken);
        }
    }

    /// <summary>
    /// The interleaved shape, after upsert <paramref name="i"/>: every second upsert, a delete of key i / 2; every fifth, an
    /// update of the name of key <see cref="UpdatedKey"/>(i), a key anywhere in the table (or tables: each in the one that
    /// holds it).
    /// </summary>
    private static async Task InterleaveAsync(SyncContext context, long i, Func<long, string> tableOf, CancellationToken cancellationToken)
    {
        if (i % 2 == 1)
        {
            await context.DeleteAsync(tableOf(i / 2), new { id = i / 2 }, cancellationToken);
        }

        if (i % 5 == 4)
        {
            var key = UpdatedKey(i);
            await context.UpdateAsync(tableOf(key), new { id = key, name = string.Create(CultureInfo.InvariantCulture, $"updated-{i}") }, cancellationToken);
        }
    }

    /// <summary>
    /// The key whose name the interleaved shape updates after upsert <paramref name="i"/>: (i × 0x9E3779B97F4A7C15 mod
    /// 2^64) mod i, spread over every key written so far (Fibonacci hashing), not the latest ones a batch would fold.
    /// </summary>
    internal static long UpdatedKey(long i) => (long)(unchecked((ulong)i * 0x9E3779B97F4A7C15UL) % (ulong)i);

    /// <summary>The name of table <paramref name="t"/> of <paramref name="tables"/>: <c>synthetic_rows</c> when there is one, else numbered from 1.</summary>
    private static string TableName(int t, int tables) =>
        tables == 1 ? Table : string.Create(CultureInfo.InvariantCulture, $"{Table}_{t + 1}");

    /// <summary>The table row <paramref name="i"/> goes to: the rows are split in order into equal runs, one a table.</summary>
    private static int TableOf(long i, long rows, int tables) => (int)(i * tables / rows);

    /// <summary>Row <paramref name="i"/>: one small object and its name string per row.</summary>
    internal static object Row(long i) => new
    {
        id = i,
        name = string.Create(CultureInfo.InvariantCulture, $"name-{i}"),
        amount = i * 0.25,
        flag = i % 3 == 0,
        created_at = Epoch.AddSeconds(i),
    };

    /// <summary>
    /// Writes the JSON page of the <c>api</c> shape holding records <paramref name="first"/> to <paramref name="first"/> +
    /// <paramref name="count"/> - 1 to <paramref name="output"/>: an array of records. Record i has <c>id</c> i and field k
    /// (1 to 49), by k mod 4: 1 the text <c>value-k-i</c>, 2 the number i + k / 4, 3 whether i + k is even, 0 the integer i × k.
    /// </summary>
    internal static void WriteApiPage(IBufferWriter<byte> output, long first, long count)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartArray();
        for (var i = first; i < first + count; i++)
        {
            json.WriteStartObject();
            json.WriteNumber(ApiFieldNames[0], i);
            for (var k = 1; k <= ApiFields; k++)
            {
                switch (k % 4)
                {
                    case 1: json.WriteString(ApiFieldNames[k], string.Create(CultureInfo.InvariantCulture, $"value-{k}-{i}")); break;
                    case 2: json.WriteNumber(ApiFieldNames[k], i + k / 4.0); break;
                    case 3: json.WriteBoolean(ApiFieldNames[k], (i + k) % 2 == 0); break;
                    default: json.WriteNumber(ApiFieldNames[k], i * k); break;
                }
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static (long Rows, long CheckpointEvery, Shape Shape, int Tables) ReadSettings(ConnectorConfiguration configuration)
    {
        var rows = configuration.GetInt64(RowsKey, DefaultRows);
        if (rows < 0)
        {
            throw new ConfigurationException(
                string.Create(CultureInfo.InvariantCulture, $"Configuration key '{RowsKey}' must be 0 or more; got '{rows}'."));
        }

        var checkpointEvery = configuration.GetInt64(CheckpointEveryKey, DefaultCheckpointEvery);
        if (checkpointEvery < 1)
        {
            throw new ConfigurationException(
                string.Create(CultureInfo.InvariantCulture, $"Configuration key '{CheckpointEveryKey}' must be 1 or more; got '{checkpointEvery}'."));
        }

        var shape = configuration.GetString(ShapeKey, "upserts") switch
        {
            "upserts" => Shape.Upserts,
            "interleaved" => Shape.Interleaved,
            "api" => Shape.Api,
            var other => throw new ConfigurationException($"Configuration key '{ShapeKey}' must be 'upserts', 'interleaved' or 'api'; got '{other}'."),
        };

        var tables = configuration.GetInt64(TablesKey, 1);
        if (tables is < 1 or > 100_000)
        {
            throw new ConfigurationException(
                string.Create(CultureInfo.InvariantCulture, $"Configuration key '{TablesKey}' must be from 1 to 100000; got '{tables}'."));
        }

        return (rows, checkpointEvery, shape, (int)tables);
    }

    /// <summary>
    /// The api shape's source: answers <c>GET records?offset=…&amp;limit=…</c> with that page of <paramref name="rows"/>
    /// records, rendered into one buffer that each page reuses (the client reads a page to its end before it asks for the next).
    /// </summary>
    private sealed class ApiPages(long rows) : HttpMessageHandler
    {
        public static readonly Uri Address = new("http://synthetic.invalid/");

        private readonly ArrayBufferWriter<byte> _page = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var query = HttpUtility.ParseQueryString(request.RequestUri!.Query);
            var offset = long.Parse(query["offset"]!, CultureInfo.InvariantCulture);
            var limit = long.Parse(query["limit"]!, CultureInfo.InvariantCulture);
            _page.ResetWrittenCount();
            WriteApiPage(_page, offset, Math.Clamp(rows - offset, 0, limit));
            var content = new ReadOnlyMemoryContent(_page.WrittenMemory) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request });
        }
    }
}
