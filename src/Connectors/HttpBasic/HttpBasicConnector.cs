using Tributary.Connectors.Playground;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.HttpBasic;

/// <summary>
/// HTTP Basic authentication (RFC 7617): the user name from configuration and the password, a secret, sent as
/// <c>Authorization: Basic base64(user:password)</c> on every request. Users are read page by page, only those updated since
/// the last sync.
/// </summary>
[Connector("http_basic", Description = "Users from an API behind HTTP Basic authentication, read incrementally by updatedAt.")]
public sealed class HttpBasicConnector : Connector
{
    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) => PlaygroundUsers.Schema;

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var configuration = context.Configuration;
        var userName = configuration.GetString("username");
        var password = await context.GetSecretAsync("password", cancellationToken);

        using var client = new RestClient(context, new RestClientOptions
        {
            BaseAddress = PlaygroundUsers.BaseAddress(configuration),
            Authenticator = new BasicAuthenticator(userName, password),
        });

        await PlaygroundUsers.SyncAsync(context, client, "auth/http_basic", cancellationToken);
    }
}
