using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Tributary.Runtime.Tests.Engine;

public sealed class RowReaderTests
{
    public sealed record Person(int Id, string Name);

    private sealed class Annotated
    {
        [JsonPropertyName("user_id")]
        public long UserId { get; init; }

        [JsonIgnore]
        public string Password { get; init; } = "";

        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? Nickname { get; init; }

        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
        public int Retries { get; init; }

        [JsonInclude]
        public string Region = "eu";

        public string NotIncluded = "field";
    }

    private static Dictionary<string, object?> AsDictionary(RowFields row) =>
        row.Names.Zip(row.Values).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);

    [Fact]
    public void Read_AnonymousObject_PropertiesByName()
    {
        var row = AsDictionary(RowReader.Read(new { id = 1, name = "Ada" }));

        Assert.Equal(1, row["id"]);
        Assert.Equal("Ada", row["name"]);
    }

    [Fact]
    public void Read_Record_PublicProperties()
    {
        var row = AsDictionary(RowReader.Read(new Person(2, "Grace")));

        Assert.Equal(["Id", "Name"], row.Keys);
        Assert.Equal(2, row["Id"]);
    }

    [Fact]
    public void Read_JsonAttributes_ColumnsAsStateSerialisationWritesThem()
    {
        var source = new Annotated { UserId = 7, Password = "hunter2", Nickname = "ada", Retries = 2 };
        var row = AsDictionary(RowReader.Read(source));

        Assert.Equal(["user_id", "Nickname", "Retries", "Region"], row.Keys);
        Assert.Equal([7L, "ada", 2, "eu"], row.Values);
        Assert.Equal(JsonSerializer.SerializeToNode(source)!.AsObject().Select(p => p.Key), row.Keys);
    }

    [Fact]
    public void Read_ConditionallyIgnoredValues_LeftOutOfThatRowOnly()
    {
        var sparse = AsDictionary(RowReader.Read(new Annotated { UserId = 8 }));
        var full = AsDictionary(RowReader.Read(new Annotated { UserId = 9, Nickname = "grace", Retries = 1 }));

        Assert.Equal(["user_id", "Region"], sparse.Keys);
        Assert.Equal(["user_id", "Nickname", "Retries", "Region"], full.Keys);
    }

    [Fact]
    public void Read_Dictionary_KeysAndValues()
    {
        var row = AsDictionary(RowReader.Read(new Dictionary<string, object?> { ["a"] = 1, ["b"] = null }));

        Assert.Equal(1, row["a"]);
        Assert.Null(row["b"]);
    }

    [Fact]
    public void Read_NonGenericDictionary_KeysAndValues()
    {
        var row = AsDictionary(RowReader.Read(new Hashtable { ["a"] = 1 }));

        Assert.Equal(1, row["a"]);
    }

    [Fact]
    public void Read_JsonObjectAndJsonElement_SameNames()
    {
        var json = """{"id": 1, "tags": ["x"]}""";

        var fromNode = RowReader.Read(JsonNode.Parse(json)!.AsObject());
        using var document = JsonDocument.Parse(json);
        var fromElement = RowReader.Read(document.RootElement);

        Assert.Equal(["id", "tags"], fromNode.Names);
        Assert.Equal(["id", "tags"], fromElement.Names);
    }

    [Fact]
    public void Read_SourceObjectChangedAfterwards_RowKeepsValues()
    {
        var source = new Dictionary<string, object?> { ["a"] = 1 };
        var row = RowReader.Read(source);

        source["a"] = 2;

        Assert.Equal(1, AsDictionary(row)["a"]);
    }

    [Fact]
    public void Read_NotARow_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => RowReader.Read("just text"));
        Assert.Throws<ArgumentException>(() => RowReader.Read(new List<int> { 1 }));
        Assert.Throws<ArgumentException>(() => RowReader.Read(new Hashtable { [1] = "non-string key" }));
        Assert.Throws<ArgumentException>(() => RowReader.Read(new object()));
    }

    private sealed class Mutable
    {
        public long Id { get; set; }
    }

    private sealed class ReadOnlyColumns(long id)
    {
        private long _version;

        public long Id { get; } = id;

        public long Version => _version++;   // a computed property may change between reads
    }

    private readonly record struct Point(int X, int Y);

    [Fact]
    public void Capture_ImmutableRows_KeptUncopiedWithTypedFields()
    {
        var anonymous = new { id = 1L, name = "Ada" };
        var record = new Person(2, "Grace");
        var point = new Point(3, 4);

        foreach (var row in new object[] { anonymous, record, point })
        {
            var captured = RowReader.Capture(row);

            Assert.Same(row, captured.Source);
            Assert.Empty(captured.Values);
            Assert.Equal(RowReader.Read(row), captured.Copied() with { Type = null, Source = null }, new RowComparer());
        }

        Assert.All(RowReader.Capture(anonymous).Type!.Fields, Assert.NotNull);
    }

    [Fact]
    public void Capture_RowsThatCanChange_CopiedAtOnce()
    {
        var mutable = new Mutable { Id = 1 };
        var rows = new object[]
        {
            mutable,
            new ReadOnlyColumns(2),   // only auto-properties count as read-only
            new Annotated { UserId = 3 },   // a [JsonIgnore] condition is decided per row, when it is read
            new Dictionary<string, object?> { ["id"] = 4 },
            JsonNode.Parse("""{"id": 5}""")!,
        };

        foreach (var row in rows)
        {
            var captured = RowReader.Capture(row);

            Assert.Null(captured.Source);
            Assert.NotEmpty(captured.Values);
        }

        var copy = RowReader.Capture(mutable);
        mutable.Id = 10;
        Assert.Equal(1L, AsDictionary(copy)["Id"]);
    }

    private sealed class RowComparer : IEqualityComparer<RowFields>
    {
        public bool Equals(RowFields x, RowFields y) => x.Names.SequenceEqual(y.Names) && x.Values.SequenceEqual(y.Values);

        public int GetHashCode(RowFields obj) => obj.Names.Length;
    }
}
