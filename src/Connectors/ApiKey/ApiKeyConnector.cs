using Tributary.Connectors.Playground;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.ApiKey;

/// <summary>
/// API key authentication: the key is a secret, sent in the <c>Authorization</c> header (<c>apiKey &lt;key&gt;</c>) or,
/// for APIs that want it there, in the query string. Users are read page by page, only those updated since the last sync.
/// </summary>
[Connector("api_key", Description = "Users from an API that takes an API key (header or query), read incrementally by updatedAt.")]
public sealed class ApiKeyConnector : Connector
{
    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) => PlaygroundUsers.Schema;

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var configuration = context.Configuration;
        var key = await context.GetSecretAsync("api_key", cancellationToken);
        var authenticator = configuration.GetString("api_key_location", "header") switch
        {
            "header" => ApiKeyAuthenticator.InHeader("Authorization", key, scheme: "apiKey"),
            "query" => ApiKeyAuthenticator.InQuery("api_key", key),
            var other => throw new ConfigurationException(
                $"Configuration key 'api_key_location' has value '{other}'; expected one of: header, query."),
        };

        using var client = new RestClient(context, new RestClientOptions
        {
            BaseAddress = PlaygroundUsers.BaseAddress(configuration),
            Authenticator = authenticator,
        });

        await PlaygroundUsers.SyncAsync(context, client, "auth/api_key", cancellationToken);
    }
}
