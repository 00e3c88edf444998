using System.Globalization;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.Accelo;

/// <summary>
/// Companies, invoices, payments, prospects, jobs and staff from Accelo's API with an OAuth 2.0 client-credentials
/// token, each resource's pages fetched several at once under one shared rate and concurrency limit, incrementally by
/// its modification (or creation) date.
/// </summary>
[Connector("accelo", Description = "Accelo resources by OAuth 2.0 client credentials, pages fetched in parallel under one rate limit.")]
public sealed partial class AcceloConnector : Connector
{
    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
        AcceloEntities.All.Select(e => new TableDefinition(e.Name) { PrimaryKey = ["id"], Columns = e.Columns });

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = AcceloSettings.Read(context.Configuration);
        var state = context.ReadState<Dictionary<string, string>>();
        var clientSecret = await context.GetSecretAsync("client_secret", cancellationToken);

        // One client for every fetcher: its token, rate limit and concurrency limit are shared by all of them.
        using var client = new RestClient(context, new RestClientOptions
        {
            BaseAddress = settings.BaseUrl,
            Authenticator = new OAuth2ClientCredentialsAuthenticator(new Uri(settings.BaseUrl, "oauth2/v0/token"), settings.ClientId, clientSecret)
            {
                Scope = "read(all)",
            },
            // Accelo allows 5,000 requests an hour; http_requests_per_second and http_max_concurrent_requests override.
            RequestsPerSecond = 5000 / 3600.0,
            MaxConcurrentRequests = settings.Fetchers,
        });

        foreach (var entity in AcceloEntities.All)
        {
            // The next cursor is the time this entity's read starts: a record changed during the read comes again next time.
            var started = context.TimeProvider.GetUtcNow();
            var since = state.TryGetValue(entity.StateKey, out var cursor)
                ? DateTimeOffset.Parse(cursor, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
                : DateTimeOffset.UnixEpoch;

            var request = new RestRequest($"api/v0/{entity.Name}") { RecordsPath = "response" };
            request.Query["_fields"] = string.Join(',', entity.Columns.Keys);
            request.Query["_filters"] = $"{entity.DateField}_after({since.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)})";
            request.Query["_order_by"] = entity.DateField;
            var paginator = new PageNumberPaginator { PageParameter = "_page", FirstPage = 0, PageSizeParameter = "_limit", PageSize = settings.PageSize };

            var records = 0;
            await foreach (var record in client.GetRecordsConcurrentlyAsync(request, paginator, settings.Fetchers, cancellationToken))
            {
                await context.UpsertAsync(entity.Name, AcceloRows.From(entity, record), cancellationToken);
                if (++records % settings.CheckpointInterval == 0)
                {
                    // Commits what was read; the cursor stays until the entity is complete.
                    await context.CheckpointAsync(state, cancellationToken);
                }
            }

            state[entity.StateKey] = started.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            await context.CheckpointAsync(state, cancellationToken);
            LogEntityDone(context.Logger, entity.Name, records, since);
        }
    }

    [LoggerMessage(EventId = 2450, Level = LogLevel.Information, Message = "Accelo {Entity}: {Records} records modified after {Since}")]
    private static partial void LogEntityDone(ILogger logger, string entity, int records, DateTimeOffset since);
}
