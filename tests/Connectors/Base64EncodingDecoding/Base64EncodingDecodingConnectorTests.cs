using Tributary.Connectors.Base64EncodingDecoding;
using Tributary.Sdk.Testing;
using Xunit;

namespace Tributary.Connectors.Tests.Base64EncodingDecoding;

public sealed class Base64EncodingDecodingConnectorTests
{
    [Fact]
    public async Task UpdateAsync_EncodedAndDecoded_WritesBothRows()
    {
        await using var harness = new ConnectorHarness("base_64_encoding_decoding");

        var run = await harness.RunAsync(new Base64EncodingDecodingConnector());

        RunAssert.Succeeded(run);
        Assert.Equal(2, run.Tables["user"].Upserts);
        Assert.Equal(1, run.Checkpoints);

        var rows = await harness.RowsAsync("user", "id");
        Assert.Equal(
            [
                ("12345", "John Doe", "john.doe@example.com"),
                ("MTIzNDU=", "Sm9obiBEb2U=", "am9obi5kb2VAZXhhbXBsZS5jb20="),
            ],
            rows.Select(row => ((string)row["id"]!, (string)row["name"]!, (string)row["email"]!)));

        var types = await harness.ColumnTypesAsync("user");
        Assert.Equal("varchar", types["id"]);
        Assert.Equal("varchar", types["name"]);
        Assert.Equal("varchar", types["email"]);
    }
}
