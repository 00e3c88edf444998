using Tributary.Connectors.ComplexConfigurationOptions;
using Tributary.Sdk.Testing;
using Xunit;

namespace Tributary.Connectors.Tests.ComplexConfigurationOptions;

public sealed class ComplexConfigurationOptionsConnectorTests
{
    private static Dictionary<string, string> Configuration() => new()
    {
        ["api_key"] = "test-api-key",
        ["client_id"] = "test-client",
        ["client_secret"] = "test-secret",
    };

    [Fact]
    public async Task UpdateAsync_AllKeysConfigured_WritesHelloWorld()
    {
        await using var harness = new ConnectorHarness("complex_configuration_options");

        var run = await harness.RunAsync(new ComplexConfigurationOptionsConnector(), Configuration());

        RunAssert.Succeeded(run);
        Assert.Equal(1, run.Tables["crypto"].Upserts);
        Assert.Equal(1, run.Checkpoints);
        var row = Assert.Single(await harness.RowsAsync("crypto", "msg"));
        Assert.Equal("hello world", row["msg"]);
    }

    [Fact]
    public async Task UpdateAsync_SampleConfigurationFile_Succeeds()
    {
        await using var harness = new ConnectorHarness("complex_configuration_options");

        var run = await harness.RunAsync(new ComplexConfigurationOptionsConnector(), SampleConfiguration.Read("ComplexConfigurationOptions"));

        RunAssert.Succeeded(run);
    }

    [Theory]
    [InlineData("api_key")]
    [InlineData("client_id")]
    [InlineData("client_secret")]
    public async Task UpdateAsync_MissingKey_FailsNamingKeyAndWritesNothing(string key)
    {
        await using var harness = new ConnectorHarness("complex_configuration_options");
        var configuration = Configuration();
        configuration.Remove(key);

        var run = await harness.RunAsync(new ComplexConfigurationOptionsConnector(), configuration);

        RunAssert.Failed(run, key);
        Assert.False(await harness.TableExistsAsync("crypto"));
    }

    [Fact]
    public void ApiSettings_StructuredValues_AreTheExamples()
    {
        Assert.Equal(["us-east-1", "us-east-4", "us-central-1"], ApiSettings.Regions);
        Assert.Equal([new CurrencyPair("USD", "EUR"), new CurrencyPair("USD", "GBP")], ApiSettings.Currencies);
        Assert.Equal(12345, ApiSettings.ApiQuota);
        Assert.True(ApiSettings.UseBulkApi);
    }
}
