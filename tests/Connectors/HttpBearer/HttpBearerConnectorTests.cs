using Tributary.Connectors.HttpBearer;
using Tributary.Connectors.Tests.ApiPlayground;
using Tributary.Sdk;

namespace Tributary.Connectors.Tests.HttpBearer;

/// <summary><c>Authorization: Bearer &lt;token&gt;</c> with a static personal access token, a secret.</summary>
public sealed class HttpBearerConnectorTests : AuthenticatedUsersConnectorTests
{
    protected override string Scheme => "http_bearer";

    protected override string Folder => "HttpBearer";

    protected override IReadOnlyDictionary<string, string> Secrets { get; } = new Dictionary<string, string> { ["bearer_token"] = PlaygroundAuth.BearerToken };

    protected override string AuthorizationHeader => "Bearer " + PlaygroundAuth.BearerToken;

    protected override Connector CreateConnector() => new HttpBearerConnector();
}
