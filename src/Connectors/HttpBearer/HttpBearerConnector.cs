using Tributary.Connectors.Playground;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.HttpBearer;

/// <summary>
/// Bearer token authentication (RFC 6750): a long-lived token issued by the source (a personal access token), kept as a
/// secret and sent as <c>Authorization: Bearer &lt;token&gt;</c>. Users are read page by page, only those updated since the
/// last sync.
/// </summary>
[Connector("http_bearer", Description = "Users from an API behind a static bearer token, read incrementally by updatedAt.")]
public sealed class HttpBearerConnector : Connector
{
    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) => PlaygroundUsers.Schema;

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var configuration = context.Configuration;
        var token = await context.GetSecretAsync("bearer_token", cancellationToken);

        using var client = new RestClient(context, new RestClientOptions
        {
            BaseAddress = PlaygroundUsers.BaseAddress(configuration),
            Authenticator = new BearerAuthenticator(token),
        });

        await PlaygroundUsers.SyncAsync(context, client, "auth/http_bearer", cancellationToken);
    }
}
