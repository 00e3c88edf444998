using System.Diagnostics.Tracing;
using System.Text.Json;
using Azure.Core.Diagnostics;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Tributary.Azure.Secrets;
using Tributary.Azure.State;
using Tributary.Azure.Tests.Support;
using Tributary.Destinations.DuckDb;
using Tributary.Runtime;
using Tributary.Runtime.State;
using Tributary.Sdk;
using Tributary.Sdk.Testing;

namespace Tributary.Azure.Tests.Secrets;

[Collection(AzuriteCollection.Name)]
public sealed class KeyVaultSecretStoreTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private FakeKeyVault _vault = null!;

    public async Task InitializeAsync() => _vault = await FakeKeyVault.StartAsync();

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    [Fact]
    public async Task GetAsync_ExistingSecret_ReadsThroughChallengeAndBearerToken()
    {
        _vault.Set("hello--api-key", "s3cr3t-value");
        var store = new KeyVaultSecretStore(_vault.CreateClient());

        var value = await store.GetAsync("hello", "api_key", CancellationToken.None);

        Assert.Equal("s3cr3t-value", value);
        Assert.Contains("GET /secrets/hello--api-key", _vault.Requests);
    }

    [Fact]
    public async Task GetAsync_MissingSecret_ReturnsNull()
    {
        var store = new KeyVaultSecretStore(_vault.CreateClient());

        Assert.Null(await store.GetAsync("hello", "nothing_here", CancellationToken.None));
    }

    [Fact]
    public async Task SetAsync_RotatedSecret_WritesNewVersionWithTags()
    {
        _vault.Set("hello--refresh-token", "old-token");
        var store = new KeyVaultSecretStore(_vault.CreateClient());

        await store.SetAsync("hello", "refresh_token", "new-token", CancellationToken.None);

        Assert.Equal("new-token", await store.GetAsync("hello", "refresh_token", CancellationToken.None));
        Assert.Equal("new-token", _vault.Get("hello--refresh-token"));
        Assert.Equal("hello", _vault.Tags("hello--refresh-token")[KeyVaultSecretStore.ConnectorTag]);
        Assert.Equal("refresh_token", _vault.Tags("hello--refresh-token")[KeyVaultSecretStore.NameTag]);
    }

    [Fact]
    public async Task GetAsync_UnreachableVault_ThrowsSecretStoreUnavailableNamingVaultAndSecret()
    {
        var unreachable = new Uri($"https://127.0.0.1:{FreePort.Next()}/");
        var store = new KeyVaultSecretStore(FakeKeyVault.CreateClient(unreachable, _vault.Certificate));

        var error = await Assert.ThrowsAsync<SecretStoreUnavailableException>(() => store.GetAsync("hello", "api_key", CancellationToken.None).AsTask());

        Assert.Contains("hello--api-key", error.Message, StringComparison.Ordinal);
        Assert.Contains(unreachable.ToString(), error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.InnerException);
    }

    [Fact]
    public Task RunAsync_ConnectorLeaksSecret_ValueAppearsInNoLogRecordStateOrError() =>
        RunCarelessConnectorAsync(quoteOldValue: false);

    /// <summary>
    /// The error quotes the value the secret had before the connector rotated it. Fails until the runtime remembers every
    /// value a secret had in the run, not only its latest (SyncSession keys its redaction list by secret name).
    /// </summary>
    [Fact]
    public Task RunAsync_SecretRotated_OldValueStaysRedacted() =>
        RunCarelessConnectorAsync(quoteOldValue: true);

    private async Task RunCarelessConnectorAsync(bool quoteOldValue)
    {
        const string Original = "orig-Secret-7f3a9c";
        const string Rotated = "rotated-Secret-b81e44";
        _vault.Set("careless--api-key", Original);
        var container = "secrets-" + Guid.NewGuid().ToString("N")[..12];
        var files = Directory.CreateTempSubdirectory("tributary-azure-secrets-").FullName;
        using var logs = new CapturingLoggerProvider();
        using var loggerFactory = logs.CreateFactory();
        var sdkEvents = new List<string>();
        using var sdkListener = new AzureEventSourceListener((e, message) => { lock (sdkEvents) { sdkEvents.Add(message); } }, EventLevel.Verbose);
        var store = new BlobStateStore(azurite.CreateBlobServiceClient(), new BlobStateStoreOptions { ContainerName = container }, logger: loggerFactory.CreateLogger<BlobStateStore>());
        var secrets = new KeyVaultSecretStore(_vault.CreateClient(), loggerFactory.CreateLogger<KeyVaultSecretStore>());

        RunRecord record;
        await using (var destination = new DuckDbDestination(new DuckDbDestinationOptions { DatabasePath = Path.Combine(files, "warehouse.db") }, loggerFactory.CreateLogger<DuckDbDestination>()))
        {
            var runner = new SyncRunner(destination, store, secrets: secrets, loggerFactory: loggerFactory);
            record = await runner.RunAsync(new SyncRequest("careless", new CarelessSecretConnector(Rotated, quoteOldValue), ConnectorConfiguration.Empty), CancellationToken.None);
        }

        // The sync did what the test needs: read, logged (masked), rotated, checkpointed and failed with the value in its error.
        Assert.Equal(RunOutcome.Failed, record.Outcome);
        Assert.Equal(Rotated, _vault.Get("careless--api-key"));
        Assert.Contains(logs.Lines, line => line.Contains("Calling the source with key ***", StringComparison.Ordinal));
        Assert.True(record.Error?.Contains("The source refused key ***", StringComparison.Ordinal), record.Error);

        var blobs = new List<string>();
        var containerClient = azurite.CreateBlobServiceClient().GetBlobContainerClient(container);
        await foreach (var blob in containerClient.GetBlobsAsync(new GetBlobsOptions()))
        {
            blobs.Add(blob.Name + ": " + (await containerClient.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content);
        }

        Assert.Contains(blobs, b => b.Contains("state.json", StringComparison.Ordinal));
        Assert.Contains(blobs, b => b.Contains("/runs/", StringComparison.Ordinal));
        var everything = string.Join('\n', logs.Lines.Concat(sdkEvents).Concat(blobs).Append(JsonSerializer.Serialize(record, StateJson.Options)));
        Assert.DoesNotContain(Original, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(Rotated, everything, StringComparison.Ordinal);
        Directory.Delete(files, recursive: true);
    }
}
