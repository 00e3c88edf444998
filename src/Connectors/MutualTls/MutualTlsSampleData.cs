using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.MutualTls;

/// <summary>
/// What the certificate examples share (<c>base64_encoded_certificate</c>, <c>certificate_from_s3</c>,
/// <c>certificate_from_key_vault</c>): the <c>sample_data</c> table of Fivetran's certificate examples, read over mutual TLS
/// from configuration <c>base_url</c>, page by page, only the records updated since the last sync, the server's
/// certificate trusted through configuration <c>server_ca_certificate</c>. Each example's own files hold only where its
/// client certificate comes from.
/// </summary>
internal static partial class MutualTlsSampleData
{
    public const string Table = "sample_data";

    /// <summary>The <c>sample_data</c> table: key <c>id</c>, its columns' types forced.</summary>
    public static IEnumerable<TableDefinition> Schema =>
    [
        new TableDefinition(Table)
        {
            PrimaryKey = ["id"],
            Columns = new Dictionary<string, ColumnType>
            {
                ["id"] = ColumnType.Long,
                ["content"] = ColumnType.String,
                ["updated_at"] = ColumnType.UtcDateTime,
            },
        },
    ];

    /// <summary>
    /// Reads <c>GET sample_data?updated_since=&amp;page=&amp;per_page=</c> presenting <paramref name="certificate"/> in the TLS
    /// handshake, upserts every record and checkpoints after every page.
    /// </summary>
    public static async Task SyncAsync(SyncContext context, X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        var configuration = context.Configuration;
        using var trusted = ReadTrustedServerCertificate(configuration);
        LogCertificate(context.Logger, certificate.Subject, certificate.Thumbprint, certificate.NotAfter, trusted?.Subject ?? "the system's roots only");
        using var client = new RestClient(context, new RestClientOptions
        {
            BaseAddress = configuration.GetUri("base_url"),
            ClientCertificate = certificate,
            TrustedServerCertificate = trusted,
        });

        var state = context.ReadState<SampleDataState>();
        var request = new RestRequest(Table) { RecordsPath = "data" };
        if (state.LastUpdatedAt is not null)
        {
            // Inclusive: a record updated in the same second as the last one synced is read again, never missed.
            request.Query["updated_since"] = state.LastUpdatedAt;
        }

        var paginator = new PageNumberPaginator
        {
            PageSizeParameter = "per_page",
            PageSize = configuration.GetInt32("page_size", 100),
            TotalPagesPath = "total_pages",
        };
        // A failed TLS handshake (an untrusted server, a refused certificate) fails the sync as a configuration error, not retried.
        var count = 0;
        await foreach (var page in client.GetPagesAsync(request, paginator, cancellationToken))
        {
            foreach (var record in page.Records)
            {
                await context.UpsertAsync(Table, record, cancellationToken);
            }

            count += page.Count;
            // Records come in updated_at order, so the page's last one is the high-water mark of everything up to here.
            state.LastUpdatedAt = (string?)page.LastRecord?["updated_at"] ?? state.LastUpdatedAt;
            await context.CheckpointAsync(state, cancellationToken);
        }

        LogSynced(context.Logger, count);
    }

    /// <summary>Configuration <c>server_ca_certificate</c>: base64 of a PEM CA certificate (or the server's self-signed one); null when absent.</summary>
    private static X509Certificate2? ReadTrustedServerCertificate(ConnectorConfiguration configuration)
    {
        if (!configuration.TryGetValue("server_ca_certificate", out var value) || string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        try
        {
            return X509Certificate2.CreateFromPem(Encoding.UTF8.GetString(Convert.FromBase64String(value.Trim())));
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            throw new ConfigurationException($"Configuration key 'server_ca_certificate' is not the base64 of a PEM certificate: {ex.Message}", ex);
        }
    }

    [LoggerMessage(EventId = 2800, Level = LogLevel.Information,
        Message = "Presenting client certificate {Subject} ({Thumbprint}, valid until {NotAfter}); trusting {Trusted} for the server")]
    private static partial void LogCertificate(ILogger logger, string subject, string thumbprint, DateTime notAfter, string trusted);

    [LoggerMessage(EventId = 2801, Level = LogLevel.Information, Message = "Synced {Count} records")]
    private static partial void LogSynced(ILogger logger, int count);

    /// <summary>The saved state: the <c>updated_at</c> of the last record synced.</summary>
    private sealed class SampleDataState
    {
        [JsonPropertyName("last_updated_at")]
        public string? LastUpdatedAt { get; set; }
    }
}
