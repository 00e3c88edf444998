using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tributary.Sdk.Http.Reading;

namespace Tributary.Sdk.Http.Tests.Reading;

/// <summary>The streaming reader: records at a path, the envelope around them, bodies that arrive a byte at a time, and malformed bodies.</summary>
public sealed class JsonRecordReaderTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task Read_NestedPathWithEnvelopeOnBothSides_YieldsRecordsAndKeepsTheRest(int chunk)
    {
        const string Body = """{"total":3,"paging":{"before":"a","results":[{"id":1,"tags":["x"]},{"id":2,"nested":{"a":{"b":[1,2]}}},{"id":3,"gone":null}],"next":{"after":"3"}},"done":true}""";

        var (records, reader) = await ReadAsync(Body, "paging.results", chunk);

        Assert.Equal([1, 2, 3], records.Select(r => r["id"]!.GetValue<int>()));
        Assert.Equal(2, records[1]["nested"]!["a"]!["b"]![1]!.GetValue<int>());
        Assert.Equal("x", records[0]["tags"]!.AsArray().Single()!.GetValue<string>());
        Assert.True(records[2].ContainsKey("gone") && records[2]["gone"] is null);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"total":3,"paging":{"before":"a","next":{"after":"3"}},"done":true}"""), reader.Envelope), reader.Envelope.ToJsonString());
        Assert.Equal(3, reader.Count);
        Assert.Equal(3, reader.LastRecord!["id"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task ReadTyped_NestedPathWithEnvelopeOnBothSides_GivesEachRecordsTextWhole(int chunk)
    {
        const string Body = """{"total":3,"paging":{"before":"a","results":[{"id":1,"name":"one"},{"id":2,"name":"t\u0077o"},{"id":3}],"next":{"after":"3"}},"done":true}""";
        var reader = new JsonRecordReader(JsonPath.Split("paging.results"), problem => new InvalidDataException(problem));
        var records = new List<(int Index, Item Item)>();

        await foreach (var record in reader.ReadAsync(
            new ChunkedStream(Encoding.UTF8.GetBytes(Body), chunk),
            (json, index) => (index, JsonSerializer.Deserialize<Item>(json, JsonSerializerOptions.Web)!),
            CancellationToken.None))
        {
            records.Add(record);
        }

        Assert.Equal([(0, new Item(1, "one")), (1, new Item(2, "two")), (2, new Item(3, null))], records);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"total":3,"paging":{"before":"a","next":{"after":"3"}},"done":true}"""), reader.Envelope), reader.Envelope.ToJsonString());
        Assert.Equal(3, reader.Count);
        Assert.Equal(3, reader.LastRecord!["id"]!.GetValue<int>());
    }

    [Fact]
    public async Task Read_ArrayBody_YieldsEachObject()
    {
        var (records, reader) = await ReadAsync("""[{"id":1},{"id":"two"}]""", null, 3);

        Assert.Equal(2, records.Count);
        Assert.Empty(reader.Envelope);
    }

    [Fact]
    public async Task Read_ObjectBodyWithoutPath_IsOneRecord()
    {
        var (records, _) = await ReadAsync("""{"id":1,"name":"only"}""", null, 2);

        Assert.Equal("only", Assert.Single(records)["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Read_NullRecords_IsAnEmptyPage()
    {
        var (records, reader) = await ReadAsync("""{"data":null,"has_more":false}""", "data", 5);

        Assert.Empty(records);
        Assert.False(reader.Envelope["has_more"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Read_PathLikeANameOffThePath_IsKeptInTheEnvelope()
    {
        // "data" inside "meta" is not the records path "data".
        var (records, reader) = await ReadAsync("""{"meta":{"data":[1]},"data":[{"id":1}]}""", "data", 4);

        Assert.Single(records);
        Assert.Equal(1, reader.Envelope["meta"]!["data"]![0]!.GetValue<int>());
    }

    [Fact]
    public async Task Read_ManySmallRecords_KeepsTheBufferAtItsFirstSize()
    {
        // 20 MB of records: the reader holds a buffer, never the body.
        const int Count = 200_000;
        var body = new StringBuilder("{\"data\":[");
        for (var i = 0; i < Count; i++)
        {
            body.Append(i == 0 ? string.Empty : ",").Append("{\"id\":").Append(i).Append(",\"text\":\"").Append('x', 80).Append("\"}");
        }

        body.Append("]}");
        var reader = new JsonRecordReader(["data"], problem => new InvalidDataException(problem));
        var count = 0;
        await foreach (var record in reader.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(body.ToString())), CancellationToken.None))
        {
            Assert.Equal(count++, record["id"]!.GetValue<int>());
        }

        Assert.Equal(Count, count);
        Assert.Equal(64 * 1024, reader.BufferLength);
    }

    [Fact]
    public async Task Read_RecordLargerThanTheBuffer_GrowsForIt()
    {
        var big = new string('y', 300_000);
        var (records, _) = await ReadAsync($$"""[{"id":1,"big":"{{big}}"},{"id":2}]""", null, 100_000);

        Assert.Equal(big, records[0]["big"]!.GetValue<string>());
        Assert.Equal(2, records.Count);
    }

    [Theory]
    [InlineData("""{"data":[{"id":1},{"id":2,"na""", "data", "not valid JSON at byte")]
    [InlineData("""{"data":[{"id":1},{"id":2,,}]}""", "data", "not valid JSON at byte")]
    [InlineData("""{"items":[{"id":1}]}""", "data", "has no 'data'")]
    [InlineData("""{"data":{"id":1}}""", "data", "'data' is a object, not an array")]
    [InlineData("""{"data":[{"id":1},2]}""", "data", "record 2 at 'data' is a number")]
    [InlineData("""{"data":[{"id":1},{"id":2,"name":"a","id":3}]}""", "data", "record 2 has the property 'id' more than once")]
    [InlineData("""[{"id":1}]""", "data", "the body is a array, not an object with 'data'")]
    [InlineData("""<html>busy</html>""", "data", "not valid JSON")]
    public async Task Read_MalformedBody_FailsNamingTheProblem(string body, string path, string expected)
    {
        var records = new List<JsonObject>();
        var error = await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            var reader = new JsonRecordReader(JsonPath.Split(path), problem => new InvalidDataException(problem));
            await foreach (var record in reader.ReadAsync(new ChunkedStream(Encoding.UTF8.GetBytes(body), 3), CancellationToken.None))
            {
                records.Add(record);
            }
        });

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_TruncatedPage_YieldsTheRecordsBeforeTheCut()
    {
        var records = new List<JsonObject>();
        var reader = new JsonRecordReader(["data"], problem => new InvalidDataException(problem));

        await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            await foreach (var record in reader.ReadAsync(new ChunkedStream(Encoding.UTF8.GetBytes("""{"data":[{"id":1},{"id":2},{"id":3,"name":"tr"""), 5), CancellationToken.None))
            {
                records.Add(record);
            }
        });

        Assert.Equal([1, 2], records.Select(r => r["id"]!.GetValue<int>()));
    }

    private static async Task<(List<JsonObject> Records, JsonRecordReader Reader)> ReadAsync(string body, string? path, int chunk)
    {
        var reader = new JsonRecordReader(JsonPath.Split(path), problem => new InvalidDataException(problem));
        var records = new List<JsonObject>();
        await foreach (var record in reader.ReadAsync(new ChunkedStream(Encoding.UTF8.GetBytes(body), chunk), CancellationToken.None))
        {
            records.Add(record);
        }

        return (records, reader);
    }

    private sealed record Item(int Id, string? Name);

    /// <summary>A stream that hands out at most <c>chunk</c> bytes per read, as a slow network does.</summary>
    private sealed class ChunkedStream(byte[] bytes, int chunk) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(chunk, buffer.Length)], cancellationToken);
    }
}
