using Tributary.Connectors.Hashes;
using Tributary.Sdk.Testing;
using Xunit;

namespace Tributary.Connectors.Tests.Hashes;

public sealed class HashesConnectorTests
{
    // Computed by Python 3: hashlib.sha1(json.dumps(row, sort_keys=True).encode()).hexdigest().
    private const string JohnDoe2007 = "9507eb591ddb60eb68452d06cf70696d8d5e8140";
    private const string JohnDoe2008 = "7d09ec9c2cfa02549a329a36fcd0221b1ea020ab";
    private const string JohnDoeNoEmail = "f01ca16d545bf1af5a8bbce87acc622101e1a992";
    private const string JoeSmith = "a211fe507efd31c94e30e91fc8883b4a68605d3d";
    private const string JaneDalton = "aa1f248cbe6e71e1f36db2f09c5b68a2fbe3febb";

    [Fact]
    public async Task UpdateAsync_FiveRows_KeyedByPythonCompatibleSha1()
    {
        await using var harness = new ConnectorHarness("hashes");

        var run = await harness.RunAsync(new HashesConnector());

        RunAssert.Succeeded(run);
        Assert.Equal(5, run.Tables["user"].Upserts);
        Assert.Equal(1, run.Checkpoints);

        var rows = (await harness.RowsAsync("user", "hash_id")).ToDictionary(row => (string)row["hash_id"]!);
        Assert.Equal(
            new[] { JohnDoe2007, JohnDoe2008, JohnDoeNoEmail, JoeSmith, JaneDalton }.Order(StringComparer.Ordinal),
            rows.Keys.Order(StringComparer.Ordinal));

        var john = rows[JohnDoe2007];
        Assert.Equal("John", john["first_name"]);
        Assert.Equal("Doe", john["last_name"]);
        Assert.Equal("john.doe@example.com", john["email"]);
        Assert.Equal(new DateTimeOffset(2007, 12, 3, 10, 15, 30, TimeSpan.Zero), john["updated_at"]);

        Assert.Null(rows[JohnDoeNoEmail]["email"]);
        Assert.Equal(new DateTimeOffset(2008, 2, 13, 3, 30, 50, TimeSpan.Zero), rows[JohnDoeNoEmail]["updated_at"]);
        Assert.Equal("Dalton", rows[JaneDalton]["last_name"]);
        Assert.Null(rows[JaneDalton]["email"]);
        Assert.Null(rows[JaneDalton]["updated_at"]);

        var types = await harness.ColumnTypesAsync("user");
        Assert.Equal("varchar", types["hash_id"]);
        Assert.Equal("varchar", types["email"]);
        Assert.Equal("timestamp with time zone", types["updated_at"]);
    }

    [Fact]
    public void RowHash_DocumentedRow_ReturnsDocumentedHash()
    {
        var row = new Dictionary<string, object?>
        {
            ["first_name"] = "John",
            ["last_name"] = "Doe",
            ["email"] = "john.doe@example.com",
            ["updated_at"] = "2007-12-03T10:15:30Z",
        };

        Assert.Equal(JohnDoe2007, HashesConnector.RowHash(row));
    }

    [Fact]
    public void RowHash_KeyOrder_DoesNotMatter()
    {
        var forward = new Dictionary<string, object?> { ["a"] = 1, ["b"] = "x" };
        var backward = new Dictionary<string, object?> { ["b"] = "x", ["a"] = 1 };

        Assert.Equal(HashesConnector.RowHash(forward), HashesConnector.RowHash(backward));
    }
}
