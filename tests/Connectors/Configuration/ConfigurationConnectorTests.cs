using Tributary.Connectors.Configuration;
using Tributary.Sdk.Testing;
using Xunit;

namespace Tributary.Connectors.Tests.Configuration;

public sealed class ConfigurationConnectorTests
{
    /// <summary>The key in Fivetran's example and in the folder's configuration.json.</summary>
    internal const string DocumentedKey = "EKlFpH8sZmdhhZ9lGhezgMTwAw3_Y2e7wbco7Gxt3SA=";

    [Fact]
    public async Task UpdateAsync_DocumentedKey_WritesDecryptedMessage()
    {
        await using var harness = new ConnectorHarness("configuration");

        var run = await harness.RunAsync(new ConfigurationConnector(), new Dictionary<string, string> { ["my_key"] = DocumentedKey });

        RunAssert.Succeeded(run);
        Assert.Equal(1, run.Tables["crypto"].Upserts);
        Assert.Equal(1, run.Checkpoints);
        var row = Assert.Single(await harness.RowsAsync("crypto", "msg"));
        Assert.Equal("If you can read this, you have the correct key", row["msg"]);
        Assert.Equal("varchar", (await harness.ColumnTypesAsync("crypto"))["msg"]);
    }

    [Fact]
    public async Task UpdateAsync_SampleConfigurationFile_WritesDecryptedMessage()
    {
        await using var harness = new ConnectorHarness("configuration");
        var configuration = SampleConfiguration.Read("Configuration");

        var run = await harness.RunAsync(new ConfigurationConnector(), configuration);

        RunAssert.Succeeded(run);
        Assert.Equal("If you can read this, you have the correct key", Assert.Single(await harness.RowsAsync("crypto", "msg"))["msg"]);
    }

    [Fact]
    public async Task UpdateAsync_MissingMyKey_FailsNamingKeyAndWritesNothing()
    {
        await using var harness = new ConnectorHarness("configuration");

        var run = await harness.RunAsync(new ConfigurationConnector());

        RunAssert.Failed(run, "my_key");
        Assert.False(await harness.TableExistsAsync("crypto"));
        RunAssert.JsonEqual("{}", await harness.ReadStateAsync());
    }

    [Fact]
    public async Task UpdateAsync_WrongKey_FailsNamingKey()
    {
        await using var harness = new ConnectorHarness("configuration");
        var otherKey = Convert.ToBase64String(new byte[32]).Replace('+', '-').Replace('/', '_');

        var run = await harness.RunAsync(new ConfigurationConnector(), new Dictionary<string, string> { ["my_key"] = otherKey });

        RunAssert.Failed(run, "my_key");
        Assert.False(await harness.TableExistsAsync("crypto"));
    }
}
