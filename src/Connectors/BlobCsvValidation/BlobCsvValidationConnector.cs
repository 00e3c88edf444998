using Azure.Storage;
using Azure.Storage.Blobs;
using Tributary.Connectors.CsvFiles;
using Tributary.Sdk;

namespace Tributary.Connectors.BlobCsvValidation;

/// <summary>
/// The Azure twin of <c>s3_csv_validation</c>: CSV files dropped in an Azure Blob Storage container, validated field by field
/// and loaded once per version (blob ETag) into <c>data</c> and <c>rejects</c>, with the same guarantees. The validation and
/// loading are <see cref="CsvFileLoader"/>'s; this connector only lists and opens blobs with Azure.Storage.Blobs.
/// </summary>
[Connector("blob_csv_validation", Description = "CSV files in an Azure Blob Storage container validated into a data table and a rejects table, each blob loaded once per ETag.")]
public sealed class BlobCsvValidationConnector : Connector
{
    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) => CsvFilesSchema.Tables;

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var configuration = context.Configuration;
        var account = configuration.GetString("account_name");
        var container = configuration.GetString("container_name");
        var prefix = configuration.GetString("prefix", "");
        var endpoint = configuration.GetUri("blob_endpoint", $"https://{account}.blob.core.windows.net/");
        var containerUri = new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/" + Uri.EscapeDataString(container));

        StorageSharedKeyCredential credential;
        try
        {
            credential = new StorageSharedKeyCredential(account, await context.GetSecretAsync("account_key", cancellationToken));
        }
        catch (FormatException ex)
        {
            throw new ConfigurationException("The secret account_key is not a storage account key: it must be base64, as the portal shows it.", ex);
        }

        var client = new BlobContainerClient(containerUri, credential);
        await new CsvFileLoader(context, new BlobCsvFileSource(client, prefix)).RunAsync(cancellationToken);
    }
}
