using Tributary.Connectors.HttpBasic;
using Tributary.Connectors.Tests.ApiPlayground;
using Tributary.Sdk;

namespace Tributary.Connectors.Tests.HttpBasic;

/// <summary><c>Authorization: Basic base64(user:password)</c>: the user name is configuration, the password a secret.</summary>
public sealed class HttpBasicConnectorTests : AuthenticatedUsersConnectorTests
{
    protected override string Scheme => "http_basic";

    protected override string Folder => "HttpBasic";

    protected override IReadOnlyDictionary<string, string> Secrets { get; } = new Dictionary<string, string> { ["password"] = PlaygroundAuth.Password };

    protected override string AuthorizationHeader => PlaygroundAuth.BasicHeader;

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string> { ["username"] = PlaygroundAuth.UserName };

    protected override IReadOnlyDictionary<string, string> SampleSettings { get; } = new Dictionary<string, string> { ["username"] = "<YOUR_USERNAME>" };

    protected override Connector CreateConnector() => new HttpBasicConnector();
}
