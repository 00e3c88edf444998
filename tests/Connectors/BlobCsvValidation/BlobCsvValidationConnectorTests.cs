using Azure.Storage.Blobs;
using Tributary.Connectors.BlobCsvValidation;
using Tributary.Connectors.Tests.CsvFiles;
using Tributary.Sdk.Testing;
using Tributary.Connectors.Tests.Sources;
using Tributary.Sdk;
using Tributary.Testing;
using Xunit;

namespace Tributary.Connectors.Tests.BlobCsvValidation;

/// <summary>The shared CSV scenarios against Azurite's Blob endpoint, a container per test.</summary>
[Collection(AzuriteSourceCollection.Name)]
public sealed class BlobCsvValidationConnectorTests(AzuriteFixture azurite) : CsvValidationTests(new BlobStore(azurite))
{
    [Fact]
    public void SampleConfiguration_HasEveryKeyTheConnectorReads()
    {
        var sample = SampleConfiguration.Read("BlobCsvValidation");

        Assert.Equal(["account_name", "blob_endpoint", "container_name", "prefix"], sample.Keys.Order());
    }

    private sealed class BlobStore(AzuriteFixture azurite) : CsvStore
    {
        private const string Account = "devstoreaccount1";

        public override string ConnectorName => "blob_csv_validation";

        // The emulator's well-known key, as its connection string gives it.
        public override string Secret => azurite.ConnectionString.Split(';').Single(p => p.StartsWith("AccountKey=", StringComparison.Ordinal))["AccountKey=".Length..];

        public override string WrongSecret { get; } = Convert.ToBase64String(Enumerable.Repeat((byte)7, 64).ToArray());

        public override string RefusedCredentialError => "Blob Storage refused the credentials (AuthorizationFailure)";

        public override Connector CreateConnector() => new BlobCsvValidationConnector();

        public override async Task<Dictionary<string, string>> CreateAsync()
        {
            var container = "csv-" + Guid.NewGuid().ToString("N")[..12];
            await azurite.CreateBlobServiceClient().GetBlobContainerClient(container).CreateAsync();
            return new Dictionary<string, string>
            {
                ["account_name"] = Account,
                ["blob_endpoint"] = $"http://127.0.0.1:{azurite.BlobPort}/{Account}",
                ["container_name"] = container,
                ["prefix"] = "in/",
            };
        }

        public override async Task PutAsync(IReadOnlyDictionary<string, string> configuration, string key, string text) =>
            await Container(configuration).GetBlobClient(key).UploadAsync(BinaryData.FromString(text), overwrite: true);

        public override async Task DeleteAsync(IReadOnlyDictionary<string, string> configuration, string key) =>
            await Container(configuration).DeleteBlobAsync(key);

        public override async Task SetSecretsAsync(ConnectorHarness harness) => await harness.SetSecretAsync("account_key", Secret);

        public override async Task SetWrongSecretAsync(ConnectorHarness harness) => await harness.SetSecretAsync("account_key", WrongSecret);

        private BlobContainerClient Container(IReadOnlyDictionary<string, string> configuration) =>
            azurite.CreateBlobServiceClient().GetBlobContainerClient(configuration["container_name"]);
    }
}
