using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Tributary.Connectors.CsvFiles;
using Tributary.Sdk;

namespace Tributary.Connectors.S3CsvValidation;

/// <summary>
/// CSV files in an S3 bucket, validated field by field and loaded once per version: the lines that pass into <c>data</c>,
/// the others into <c>rejects</c> with file, line, field and reason. A file is loaded whole or not at all, recorded in state
/// by its key and ETag at the checkpoint after its last line, and loaded again when its ETag changes, its vanished rows
/// deleted. The validation and loading are <see cref="CsvFileLoader"/>'s, shared with <c>blob_csv_validation</c>; this
/// connector only lists and opens the bucket's objects with AWSSDK.S3.
/// </summary>
[Connector("s3_csv_validation", Description = "CSV files in an S3 bucket validated into a data table and a rejects table, each file loaded once per ETag.")]
public sealed class S3CsvValidationConnector : Connector
{
    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) => CsvFilesSchema.Tables;

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var configuration = context.Configuration;
        var bucket = configuration.GetString("bucket_name");
        var prefix = configuration.GetString("prefix", "");
        var region = configuration.GetString("region_name", "us-east-1");
        var s3Config = new AmazonS3Config
        {
            RegionEndpoint = RegionEndpoint.GetBySystemName(region),
            ForcePathStyle = configuration.GetBoolean("force_path_style", false),
        };
        if (configuration.TryGetValue("service_url", out var serviceUrl) && !string.IsNullOrWhiteSpace(serviceUrl))
        {
            // An S3-compatible endpoint (s3rver, MinIO): requests go there, signed for the configured region.
            s3Config.ServiceURL = configuration.GetUri("service_url").AbsoluteUri;
            s3Config.AuthenticationRegion = region;
        }

        var credentials = new BasicAWSCredentials(
            await context.GetSecretAsync("aws_access_key_id", cancellationToken),
            await context.GetSecretAsync("aws_secret_access_key", cancellationToken));
        using var client = new AmazonS3Client(credentials, s3Config);
        await new CsvFileLoader(context, new S3CsvFileSource(client, bucket, prefix)).RunAsync(cancellationToken);
    }
}
