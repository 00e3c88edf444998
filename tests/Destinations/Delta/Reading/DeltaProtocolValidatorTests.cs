// The writer's assembly sits in an enclosing namespace and may hold types of the same names: these aliases bind to the
// independent reader whatever it holds.
using IndependentValidation = Tributary.Testing.DeltaValidationOptions;
using IndependentValidator = Tributary.Testing.DeltaProtocolValidator;
using static Tributary.Destinations.Delta.Tests.Reading.HandMadeTable;

namespace Tributary.Destinations.Delta.Tests.Reading;

public sealed class DeltaProtocolValidatorTests : IDisposable
{
    private const string Rows =
        "SELECT * FROM (VALUES (1::BIGINT, 'apple', TIMESTAMPTZ '2024-01-01 10:00:00.123456+00'), (2, 'banana', NULL), " +
        "(3, NULL, TIMESTAMPTZ '2024-01-02 00:00:00+00')) AS v(id, name, \"at\")";

    private const string GoodStats =
        "{\"numRecords\":3,\"minValues\":{\"id\":1,\"name\":\"apple\",\"at\":\"2024-01-01T10:00:00.123Z\"}," +
        "\"maxValues\":{\"id\":3,\"name\":\"banana\",\"at\":\"2024-01-02T00:00:00.000Z\"},\"nullCount\":{\"id\":0,\"name\":1,\"at\":1}}";

    private static readonly HandColumn[] Columns = [new("id", "long", false), new("name", "string"), new("at", "timestamp")];

    private readonly string _lake = Directory.CreateTempSubdirectory("tributary-delta-validating-").FullName;

    public void Dispose() => Directory.Delete(_lake, recursive: true);

    [Fact]
    public async Task ValidateTableAsync_WellFormedTableWithCheckpoint_HasNoViolations()
    {
        var table = new HandMadeTable(_lake);
        var a = await table.AddFileAsync(Rows, "a.parquet", GoodStats);
        var b = await table.AddFileAsync("SELECT 4::BIGINT AS id, 'cherry' AS name", "b.parquet",
            "{\"numRecords\":1,\"minValues\":{\"id\":4,\"name\":\"cherry\"},\"maxValues\":{\"id\":4,\"name\":\"cherry\"},\"nullCount\":{\"id\":0,\"name\":0,\"at\":1}}");
        table.Commit(0, CommitInfo(), Protocol(), Metadata(["id"], Columns), a);
        table.Commit(1, CommitInfo(), b);
        await table.CheckpointAsync(1, Protocol(), Metadata(["id"], Columns), a, b);
        table.Commit(2, CommitInfo(), Remove("b.parquet"));

        Assert.Empty(await IndependentValidator.ValidateTableAsync(table.Folder, IndependentValidation.Tributary, default));
        Assert.Empty(await IndependentValidator.ValidateLakeAsync(_lake, IndependentValidation.Tributary, default));
    }

    [Fact]
    public async Task ValidateTableAsync_MultiPartCheckpoint_HasNoViolations()
    {
        var table = new HandMadeTable(_lake);
        var a = await table.AddFileAsync(Rows, "a.parquet", GoodStats);
        var b = await table.AddFileAsync(Rows, "b.parquet", GoodStats);
        table.Commit(0, Protocol(), Metadata(["id"], Columns), a, b);
        await table.CheckpointAsync(0, 2, Protocol(), Metadata(["id"], Columns), a, b);

        Assert.Empty(await IndependentValidator.ValidateTableAsync(table.Folder, default));
    }

    [Fact]
    public async Task ValidateTableAsync_TimestampNtzWithItsFeature_HasNoViolations()
    {
        var table = new HandMadeTable(_lake);
        var add = await table.AddFileAsync("SELECT 1::BIGINT AS id, TIMESTAMP '2024-01-01 10:00:00.5' AS local", "a.parquet",
            "{\"numRecords\":1,\"minValues\":{\"id\":1,\"local\":\"2024-01-01T10:00:00.500\"},\"maxValues\":{\"id\":1,\"local\":\"2024-01-01T10:00:00.500\"},\"nullCount\":{\"id\":0,\"local\":0}}");
        table.Commit(0, Protocol(3, 7, ["timestampNtz"], ["timestampNtz"]), Metadata(["id"], new("id", "long", false), new("local", "timestamp_ntz")), add);

        Assert.Empty(await IndependentValidator.ValidateTableAsync(table.Folder, IndependentValidation.Tributary, default));
    }

    [Fact]
    public async Task ValidateTableAsync_VersionZeroWithoutProtocol_SaysSo()
    {
        var table = new HandMadeTable(_lake);
        table.Commit(0, CommitInfo(), Metadata(["id"], Columns));

        var violations = await IndependentValidator.ValidateTableAsync(table.Folder, default);

        Assert.Contains(violations, v => v.Contains("version 0 must hold a protocol and a metaData action; it lacks protocol", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("{\"type\":\"struct\",\"fields\":[", "is not JSON")]
    [InlineData("{\"type\":\"structure\",\"fields\":[]}", "is not a struct type")]
    [InlineData("{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"int\",\"nullable\":true,\"metadata\":{}}]}", "'int', is not a primitive type")]
    [InlineData("{\"type\":\"struct\",\"fields\":[{\"name\":\"d\",\"type\":\"decimal(39,2)\",\"nullable\":true,\"metadata\":{}}]}", "decimal(39,2), is not a valid decimal")]
    [InlineData("{\"type\":\"struct\",\"fields\":[{\"name\":\"d\",\"type\":\"decimal(5,6)\",\"nullable\":true,\"metadata\":{}}]}", "decimal(5,6), is not a valid decimal")]
    [InlineData("{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\",\"nullable\":true}]}", "it lacks metadata")]
    [InlineData("{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{},\"comment\":\"x\"}]}", "it also has comment")]
    [InlineData("{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\",\"nullable\":\"yes\",\"metadata\":{}}]}", "nullable of id is \"yes\"")]
    [InlineData("{\"type\":\"struct\",\"fields\":[{\"name\":\"Id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}}]}", "'id' occurs twice")]
    [InlineData("{\"type\":\"struct\",\"fields\":[{\"name\":\"a\",\"type\":{\"type\":\"array\",\"elementType\":\"long\"},\"nullable\":true,\"metadata\":{}}]}", "it lacks containsNull")]
    [InlineData("{\"type\":\"struct\",\"fields\":[{\"name\":\"m\",\"type\":{\"type\":\"map\",\"keyType\":\"string\",\"valueType\":\"bigint\",\"valueContainsNull\":true},\"nullable\":true,\"metadata\":{}}]}", "'bigint', is not a primitive type")]
    public async Task ValidateTableAsync_BadSchemaString_SaysWhatIsWrong(string schemaString, string expected)
    {
        var table = new HandMadeTable(_lake);
        table.Commit(0, Protocol(), MetadataWithSchema(schemaString));

        var violations = await IndependentValidator.ValidateTableAsync(table.Folder, default);

        Assert.Contains(violations, v => v.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ValidateTableAsync_NestedSchemaSparkAccepts_HasNoViolations()
    {
        var table = new HandMadeTable(_lake);
        table.Commit(0, Protocol(), MetadataWithSchema(
            "{\"type\":\"struct\",\"fields\":[{\"name\":\"s\",\"type\":{\"type\":\"struct\",\"fields\":[{\"name\":\"d\",\"type\":\"decimal(38, 0)\",\"nullable\":false,\"metadata\":{}}]},\"nullable\":true,\"metadata\":{}}," +
            "{\"name\":\"a\",\"type\":{\"type\":\"array\",\"elementType\":{\"type\":\"map\",\"keyType\":\"string\",\"valueType\":\"binary\",\"valueContainsNull\":true},\"containsNull\":false},\"nullable\":true,\"metadata\":{\"comment\":\"x\"}}]}"));

        Assert.Empty(await IndependentValidator.ValidateTableAsync(table.Folder, default));
    }

    [Theory]
    [InlineData("\"minValues\":{\"id\":1", "\"minValues\":{\"id\":0", "stats.minValues.id is 0, but the file's minimum is 1")]
    [InlineData("\"maxValues\":{\"id\":3", "\"maxValues\":{\"id\":4", "stats.maxValues.id is 4, but the file's maximum is 3")]
    [InlineData("\"name\":\"banana\"", "\"name\":\"apple\"", "stats.maxValues.name is \"apple\", but the file's maximum is \"banana\"")]
    [InlineData("\"nullCount\":{\"id\":0,\"name\":1", "\"nullCount\":{\"id\":0,\"name\":0", "stats.nullCount.name is 0, but the file has 1 nulls")]
    [InlineData("\"at\":\"2024-01-01T10:00:00.123Z\"", "\"at\":\"2024-01-01T10:00:00.124Z\"", "stats.minValues.at is \"2024-01-01T10:00:00.124Z\", but the file's minimum is 2024-01-01T10:00:00.123456")]
    [InlineData("\"numRecords\":3", "\"numRecords\":2", "stats.numRecords is 2, but the file has 3 rows")]
    [InlineData("\"nullCount\":{", "\"nullCount\":{\"price\":0,", "stats.nullCount names 'price', which is not a column")]
    [InlineData("{\"numRecords\":3,", "{\"numRecords\":3,,", "the stats are malformed")]
    public async Task ValidateTableAsync_StatsThatDoNotMatchTheFile_SaysWhich(string good, string bad, string expected)
    {
        var table = new HandMadeTable(_lake);
        var add = await table.AddFileAsync(Rows, "a.parquet", GoodStats.Replace(good, bad, StringComparison.Ordinal));
        table.Commit(0, Protocol(), Metadata(["id"], Columns), add);

        var violations = await IndependentValidator.ValidateTableAsync(table.Folder, default);

        Assert.Contains(violations, v => v.Contains(expected, StringComparison.Ordinal) && v.Contains("line 3", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("\"minValues\":{\"id\":1,\"name\":\"apple\"", "\"minValues\":{\"id\":1,\"name\":\"app\"")]
    [InlineData("\"maxValues\":{\"id\":3,\"name\":\"banana\"", "\"maxValues\":{\"id\":3,\"name\":\"bao\"")]
    [InlineData("\"maxValues\":{\"id\":3,\"name\":\"banana\",\"at\":\"2024-01-02T00:00:00.000Z\"", "\"maxValues\":{\"id\":3,\"name\":\"banana\",\"at\":\"2024-01-02T01:00:00.000+01:00\"")]
    public async Task ValidateTableAsync_TruncatedOrEquivalentBounds_AreAccepted(string good, string truncated)
    {
        var table = new HandMadeTable(_lake);
        var add = await table.AddFileAsync(Rows, "a.parquet", GoodStats.Replace(good, truncated, StringComparison.Ordinal));
        table.Commit(0, Protocol(), Metadata(["id"], Columns), add);

        Assert.Empty(await IndependentValidator.ValidateTableAsync(table.Folder, default));
    }

    [Theory]
    [InlineData("long", "1::INTEGER", "the column 'v' is long in the schema, but the file holds it as INTEGER")]
    [InlineData("timestamp", "TIMESTAMP '2024-01-01 10:00:00'", "the column 'v' is timestamp in the schema, but the file holds it as TIMESTAMP")]
    [InlineData("timestamp_ntz", "TIMESTAMPTZ '2024-01-01 10:00:00+00'", "the column 'v' is timestamp_ntz in the schema, but the file holds it as TIMESTAMP WITH TIME ZONE")]
    [InlineData("decimal(15,2)", "1.5::DECIMAL(10,2)", "the column 'v' is decimal(15,2) in the schema, but the file holds it as DECIMAL(10,2)")]
    [InlineData("string", "'\\x00'::BLOB", "the column 'v' is string in the schema, but the file holds it as BLOB")]
    public async Task ValidateTableAsync_FileColumnOfAnotherType_SaysWhich(string deltaType, string value, string expected)
    {
        var table = new HandMadeTable(_lake);
        var add = await table.AddFileAsync($"SELECT 1::BIGINT AS id, {value} AS v", "a.parquet");
        table.Commit(0, Protocol(3, 7, ["timestampNtz"], ["timestampNtz"]), Metadata(["id"], new("id", "long", false), new("v", deltaType)), add);

        var violations = await IndependentValidator.ValidateTableAsync(table.Folder, default);

        Assert.Contains(violations, v => v.Contains(expected, StringComparison.Ordinal) && v.Contains("line 3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ValidateTableAsync_GapInVersions_NamesTheMissingCommit()
    {
        var table = new HandMadeTable(_lake);
        table.Commit(0, Protocol(), Metadata(["id"], Columns));
        table.Commit(1, CommitInfo());
        table.Commit(3, CommitInfo());

        var violations = await IndependentValidator.ValidateTableAsync(table.Folder, default);

        Assert.Contains(violations, v => v.Contains($"The versions jump from 1 to 3: {HandMadeTable.Log(2)}.json is missing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ValidateTableAsync_MalformedLines_SaysWhichLineAndWhy()
    {
        var table = new HandMadeTable(_lake);
        File.WriteAllText(Path.Combine(table.LogFolder, HandMadeTable.Log(0) + ".json"), string.Join("\n",
            Protocol(), Metadata(["id"], Columns), "", "{\"commitInfo\":{},\"txn\":{\"appId\":\"a\",\"version\":1}}", "[1]", "{\"checkpointMetadata\":{\"version\":0}}",
            "{\"add\":{\"path\":\"x.parquet\",\"partitionValues\":{},\"modificationTime\":1,\"dataChange\":\"yes\"}}", "not json") + "\n");

        var violations = await IndependentValidator.ValidateTableAsync(table.Folder, default);

        Assert.Contains(violations, v => v.Contains("line 3 is empty", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("line 4: an action is a JSON object with exactly one key", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("line 5: an action is a JSON object with exactly one key (the action's name); this line has a JSON Array", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("line 6: 'checkpointMetadata' is not an action a commit may hold", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("line 7: add lacks the required field 'size'", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("line 7: add.dataChange is \"yes\", not a boolean", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("line 8 is not JSON", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ValidateTableAsync_OneCommitAddsAndRemovesTheSameFile_SaysSo()
    {
        var table = new HandMadeTable(_lake);
        var a = await table.AddFileAsync(Rows, "a.parquet", GoodStats);
        table.Commit(0, Protocol(), Metadata(["id"], Columns), a);
        table.Commit(1, Remove("a.parquet"), a);

        var violations = await IndependentValidator.ValidateTableAsync(table.Folder, default);

        Assert.Contains(violations, v => v.Contains("version 1 both adds and removes a.parquet", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ValidateTableAsync_TimestampNtzWithoutItsFeature_SaysWhatTheProtocolNeeds()
    {
        var table = new HandMadeTable(_lake);
        table.Commit(0, Protocol(), Metadata(["id"], new("id", "long", false), new("local", "timestamp_ntz")));

        var violations = await IndependentValidator.ValidateTableAsync(table.Folder, default);

        Assert.Contains(violations, v => v.Contains("timestamp_ntz column(s) local need protocol (3,7) with the timestampNtz reader and writer feature", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(3, 7, null, new[] { "timestampNtz" }, "minReaderVersion 3 requires readerFeatures")]
    [InlineData(3, 7, new[] { "timestampNtz" }, null, "minWriterVersion 7 requires writerFeatures")]
    [InlineData(1, 2, new[] { "timestampNtz" }, null, "readerFeatures exist only when minReaderVersion is 3")]
    [InlineData(3, 5, new[] { "timestampNtz" }, null, "minReaderVersion 3 requires minWriterVersion 7")]
    [InlineData(3, 7, new[] { "deletionVectors" }, new[] { "appendOnly" }, "the reader feature 'deletionVectors' is not also in writerFeatures")]
    public async Task ValidateTableAsync_InconsistentProtocol_SaysWhy(int reader, int writer, string[]? readerFeatures, string[]? writerFeatures, string expected)
    {
        var table = new HandMadeTable(_lake);
        table.Commit(0, Protocol(reader, writer, readerFeatures, writerFeatures), Metadata(["id"], Columns));

        var violations = await IndependentValidator.ValidateTableAsync(table.Folder, default);

        Assert.Contains(violations, v => v.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ValidateTableAsync_TributaryConventions_FlagHigherProtocolAndMissingStats()
    {
        var table = new HandMadeTable(_lake);
        var add = await table.AddFileAsync(Rows, "a.parquet");
        var partial = await table.AddFileAsync(Rows, "b.parquet", "{\"numRecords\":3,\"minValues\":{\"id\":1},\"maxValues\":{\"id\":3},\"nullCount\":{\"id\":0}}");
        table.Commit(0, Protocol(3, 7, ["timestampNtz"], ["timestampNtz"]), Metadata(["id"], Columns), add, partial);

        var protocolOnly = await IndependentValidator.ValidateTableAsync(table.Folder, default);
        var conventions = await IndependentValidator.ValidateTableAsync(table.Folder, IndependentValidation.Tributary, default);

        Assert.Empty(protocolOnly);
        Assert.Contains(conventions, v => v.Contains("not the lowest the table's features need, (1,2)", StringComparison.Ordinal));
        Assert.Contains(conventions, v => v.Contains("line 3: the add of a.parquet has no stats", StringComparison.Ordinal));
        Assert.Contains(conventions, v => v.Contains("line 4: the stats lack nullCount.name", StringComparison.Ordinal));
        Assert.Contains(conventions, v => v.Contains("line 4: the stats lack minValues.at", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ValidateTableAsync_SizeWrongAndActiveFileMissing_SaysBoth()
    {
        var table = new HandMadeTable(_lake);
        var add = await table.AddFileAsync(Rows, "a.parquet", GoodStats);
        var size = new FileInfo(Path.Combine(table.Folder, "a.parquet")).Length;
        table.Commit(0, Protocol(), Metadata(["id"], Columns), add.Replace($"\"size\":{size}", $"\"size\":{size + 1}", StringComparison.Ordinal), Add("gone.parquet", 10));

        var violations = await IndependentValidator.ValidateTableAsync(table.Folder, default);

        Assert.Contains(violations, v => v.Contains($"add.size is {size + 1}, but a.parquet has {size} bytes", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("The active file gone.parquet (added in version 0) does not exist", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ValidateTableAsync_PartitionColumnNotInSchema_SaysSo()
    {
        var table = new HandMadeTable(_lake);
        table.Commit(0, Protocol(), MetadataWithSchema(SchemaString(Columns), partitionColumns: ["region"]));

        var violations = await IndependentValidator.ValidateTableAsync(table.Folder, default);

        Assert.Contains(violations, v => v.Contains("the partition column 'region' is not a column of the schema", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ValidateTableAsync_CheckpointThatDiffersFromTheCommits_SaysHow()
    {
        var table = new HandMadeTable(_lake);
        var a = await table.AddFileAsync(Rows, "a.parquet", GoodStats);
        var b = await table.AddFileAsync(Rows, "b.parquet", GoodStats);
        table.Commit(0, Protocol(), Metadata(["id"], Columns), a);
        table.Commit(1, b);
        await table.CheckpointAsync(1, Protocol(), Metadata(["id"], Columns), a);

        var violations = await IndependentValidator.ValidateTableAsync(table.Folder, default);

        Assert.Contains(violations, v => v.Contains("The checkpoint of version 1 lacks the active file b.parquet", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ValidateTableAsync_LastCheckpointNamingNoCheckpoint_SaysSo()
    {
        var table = new HandMadeTable(_lake);
        var a = await table.AddFileAsync(Rows, "a.parquet", GoodStats);
        table.Commit(0, Protocol(), Metadata(["id"], Columns), a);
        table.Commit(1, CommitInfo());
        await table.CheckpointAsync(1, Protocol(), Metadata(["id"], Columns), a);
        File.WriteAllText(Path.Combine(table.LogFolder, "_last_checkpoint"), "{\"version\":1,\"size\":4}");
        var wrongSize = await IndependentValidator.ValidateTableAsync(table.Folder, default);
        File.WriteAllText(Path.Combine(table.LogFolder, "_last_checkpoint"), "{\"version\":2,\"size\":3}");
        var wrongVersion = await IndependentValidator.ValidateTableAsync(table.Folder, default);

        Assert.Equal(["_delta_log/_last_checkpoint says the checkpoint of version 1 holds 4 actions; it holds 3."], wrongSize);
        Assert.Equal(["_delta_log/_last_checkpoint names version 2, which has no complete checkpoint."], wrongVersion);
    }
}
