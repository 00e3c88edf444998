using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Tributary.Azure.Secrets;
using Tributary.Azure.Tests.Support;
using Tributary.FunctionsHost.Api;
using Tributary.FunctionsHost.Tests.Support;

namespace Tributary.FunctionsHost.Tests.Functions;

[Collection(AzuriteCollection.Name)]
public sealed class WebhookFunctionTests(AzuriteFixture azurite) : FunctionsAppTests(azurite)
{
    private const string Secret = "whsec-0123456789abcdef";
    private const string Path = "/api/connections/hello/webhook";
    private static readonly byte[] Payload = Encoding.UTF8.GetBytes("{\"event\":\"row.changed\",\"id\":42}");

    protected override IDictionary<string, string?>? Settings => new Dictionary<string, string?> { ["Tributary:Webhooks:MaxBodyBytes"] = "1024" };

    protected override void Seed(FakeKeyVault vault)
    {
        vault.Set(KeyVaultSecretName.For("hello", WebhookReceiver.SecretName), Secret);
    }

    [Fact]
    public async Task Webhook_ValidSignatureWithoutFunctionKey_Returns202AndQueuesWebhookSync()
    {
        using var response = await PostAsync(App, Path, Payload, WebhookReceiver.Sign(Payload, Secret));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var message = (await App.DequeueAsync())!;
        Assert.Equal(("hello", "webhook", body["syncId"]!.GetValue<string>()), (message.Connection, message.Trigger, message.SyncId));
        Assert.Contains("GET /secrets/hello--webhook-secret", Vault.Requests);
    }

    [Fact]
    public async Task Webhook_WhileSyncQueued_Returns202NamingItAndQueuesNothingMore()
    {
        using var first = await PostAsync(App, Path, Payload, WebhookReceiver.Sign(Payload, Secret));
        using var second = await PostAsync(App, Path, Payload, WebhookReceiver.Sign(Payload, Secret));

        var firstSync = (await first.Content.ReadFromJsonAsync<JsonObject>())!["syncId"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(firstSync, (await second.Content.ReadFromJsonAsync<JsonObject>())!["syncId"]!.GetValue<string>());
        Assert.Equal(firstSync, (await App.DequeueAsync())!.SyncId);
        Assert.Null(await App.DequeueAsync());
    }

    [Fact]
    public async Task Webhook_UpperCaseHexSignature_IsAccepted() =>
        Assert.Equal(
            HttpStatusCode.Accepted,
            (await PostAsync(App, Path, Payload, "sha256=" + WebhookReceiver.Sign(Payload, Secret)["sha256=".Length..].ToUpperInvariant())).StatusCode);

    [Theory]
    [InlineData("wrong-secret")]
    [InlineData(null)]
    public async Task Webhook_WrongOrMissingSignature_Returns401AndHandsNothingOn(string? signingSecret)
    {
        using var response = await PostAsync(App, Path, Payload, signingSecret is null ? null : WebhookReceiver.Sign(Payload, signingSecret));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await AssertUntouchedAsync(App);
    }

    [Fact]
    public async Task Webhook_SignatureOfOtherBody_Returns401()
    {
        var tampered = Encoding.UTF8.GetBytes("{\"event\":\"row.changed\",\"id\":43}");

        using var response = await PostAsync(App, Path, tampered, WebhookReceiver.Sign(Payload, Secret));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await AssertUntouchedAsync(App);
    }

    [Theory]
    [InlineData("sha256=zz")]
    [InlineData("sha1=0123")]
    [InlineData("sha256=")]
    public async Task Webhook_MalformedSignature_Returns401(string signature) =>
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(App, Path, Payload, signature)).StatusCode);

    [Fact]
    public async Task Webhook_OversizedBody_Returns413AndHandsNothingOn()
    {
        var large = new byte[1025];

        using var response = await PostAsync(App, Path, large, WebhookReceiver.Sign(large, Secret));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertUntouchedAsync(App);
    }

    [Fact]
    public async Task Webhook_UnknownConnector_Returns404() =>
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(App, "/api/connections/nope/webhook", Payload, WebhookReceiver.Sign(Payload, Secret))).StatusCode);

    [Fact]
    public async Task Webhook_ConnectorWithoutSecret_Returns500WithClearErrorAndHandsNothingOn()
    {
        using var response = await PostAsync(App, "/api/connections/synthetic/webhook", Payload, WebhookReceiver.Sign(Payload, Secret));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("Connector 'synthetic' has no webhook secret", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(App.Logs.Lines, line => line.Contains("it has no secret webhook_secret", StringComparison.Ordinal));
        await AssertUntouchedAsync(App, "synthetic");
    }

    [Fact]
    public async Task Webhook_UnreachableKeyVault_Returns503AndHandsNothingOn()
    {
        var unreachable = new KeyVaultSecretStore(FakeKeyVault.CreateClient(new Uri($"https://127.0.0.1:{FreePort.Next()}/"), Vault.Certificate));
        await using var app = await FunctionsApp.StartAsync(Azurite, unreachable);

        using var response = await PostAsync(app, Path, Payload, WebhookReceiver.Sign(Payload, Secret));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("could not be read", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(app.Logs.Lines, line => line.Contains("Could not read secret 'hello--webhook-secret'", StringComparison.Ordinal));
        await AssertUntouchedAsync(app);
    }

    [Theory]
    [InlineData("sha256=", false)]
    [InlineData("SHA256=", true)]
    public void Verify_SchemeCase_IsIgnored(string scheme, bool upper)
    {
        var signature = WebhookReceiver.Sign(Payload, Secret)["sha256=".Length..];

        Assert.True(WebhookReceiver.Verify(Payload, scheme + (upper ? signature.ToUpperInvariant() : signature), Secret));
        Assert.False(WebhookReceiver.Verify(Payload, scheme + signature[..^2], Secret));
        Assert.False(WebhookReceiver.Verify(Payload, scheme + signature + "00", Secret));
    }

    private static async Task<HttpResponseMessage> PostAsync(FunctionsApp app, string path, byte[] body, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        if (signature is not null)
        {
            request.Headers.Add(WebhookReceiver.SignatureHeader, signature);
        }

        return await app.CreateClient(withKey: false).SendAsync(request);
    }

    private static async Task AssertUntouchedAsync(FunctionsApp app, string connector = "hello")
    {
        Assert.Null(await app.DequeueAsync());
        Assert.Null((await app.Store.ReadAsync(connector, CancellationToken.None)).Version);
        await foreach (var _ in app.Store.ListRunsAsync(connector, CancellationToken.None))
        {
            Assert.Fail("A run record was written.");
        }
    }
}
