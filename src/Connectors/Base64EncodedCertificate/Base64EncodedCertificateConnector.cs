using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.Base64EncodedCertificate;

/// <summary>
/// Mutual TLS: the connector presents a client certificate, read from two secrets that hold the base64 encoding of its PEM
/// certificate and private key (the private key optionally encrypted under a passkey), and trusts a private CA, or the
/// server's own self-signed certificate, for the server's side of the handshake. Records are read page by page, only those
/// updated since the last sync.
/// </summary>
[Connector(
    "base64_encoded_certificate",
    Description = "Records from an API that requires a client certificate (mutual TLS), the certificate and key base64 PEM secrets.")]
public sealed partial class Base64EncodedCertificateConnector : Connector
{
    private const string Table = "sample_data";

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
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

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var configuration = context.Configuration;
        var baseAddress = configuration.GetUri("base_url");
        using var certificate = await CertificateSecrets.ReadClientCertificateAsync(context, cancellationToken);
        using var trusted = CertificateSecrets.ReadTrustedServerCertificate(configuration);
        LogCertificate(context.Logger, certificate.Subject, certificate.NotAfter, trusted?.Subject ?? "the system's roots only");

        using var client = new RestClient(context, new RestClientOptions
        {
            BaseAddress = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/"),
            ClientCertificate = certificate,
            TrustedServerCertificate = trusted,
        });

        var state = context.ReadState<SampleDataState>();
        var request = new RestRequest("sample_data") { RecordsPath = "data" };
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
        var count = 0;
        try
        {
            await foreach (var page in client.GetPagesAsync(request, paginator, cancellationToken))
            {
                foreach (var record in page.Records)
                {
                    await context.UpsertAsync(Table, record, cancellationToken);
                }

                count += page.Count;
                state.LastUpdatedAt = (string?)page.LastRecord?["updated_at"] ?? state.LastUpdatedAt;
                await context.CheckpointAsync(state, cancellationToken);
            }
        }
        catch (SourceUnavailableException ex) when (TlsFailure(ex) is { } tls)
        {
            // A handshake that fails is a certificate problem, not an outage: say which, and do not invite a retry.
            throw new ConfigurationException(
                $"{ex.Message} The TLS handshake with {client.BaseAddress.Authority} failed: {tls.Message} Check configuration " +
                "'server_ca_certificate' (the server's CA, or its self-signed certificate) and the client certificate in secrets " +
                "'encoded_certificate' and 'encoded_private_key'.",
                ex);
        }

        LogSynced(context.Logger, count);
    }

    private static Exception? TlsFailure(Exception error)
    {
        for (var inner = error.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Security.Authentication.AuthenticationException)
            {
                return inner;
            }
        }

        return null;
    }

    [LoggerMessage(EventId = 2150, Level = LogLevel.Information,
        Message = "Presenting client certificate {Subject} (valid until {NotAfter}); trusting {Trusted} for the server")]
    private static partial void LogCertificate(ILogger logger, string subject, DateTime notAfter, string trusted);

    [LoggerMessage(EventId = 2151, Level = LogLevel.Information, Message = "Synced {Count} records")]
    private static partial void LogSynced(ILogger logger, int count);

    /// <summary>The saved state: the <c>updated_at</c> of the last record synced.</summary>
    private sealed class SampleDataState
    {
        [JsonPropertyName("last_updated_at")]
        public string? LastUpdatedAt { get; set; }
    }
}
