using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Tributary.Azure.Secrets;
using Tributary.Azure.Tests.Support;
using Tributary.FunctionsHost.Api;
using Tributary.FunctionsHost.Tests.Support;

namespace Tributary.FunctionsHost.Tests.Functions;

/// <summary>The webhook endpoint's guard: Standard Webhooks signatures, the timestamp window and id de-duplication.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class WebhookFunctionTests(AzuriteFixture azurite) : FunctionsAppTests(azurite)
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string Path = "/api/connections/hello/webhook";
    private static readonly byte[] Payload = Encoding.UTF8.GetBytes("{\"event\":\"row.changed\",\"id\":42}");

    protected override IDictionary<string, string?>? Settings => new Dictionary<string, string?> { ["Tributary:Webhooks:MaxBodyBytes"] = "1024" };

    private DateTimeOffset Now => App.Time.GetUtcNow();

    protected override void Seed(FakeKeyVault vault)
    {
        vault.Set(KeyVaultSecretName.For("hello", WebhookReceiver.SecretName), Secret);
    }

    [Fact]
    public async Task Webhook_StandardSignatureWithoutFunctionKey_Returns202AndQueuesWebhookSync()
    {
        using var response = await SendAsync(App, SignedDelivery.Create(Path, Payload, Secret, SignedDelivery.NewId(), Now));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var message = (await App.DequeueAsync())!;
        Assert.Equal(("hello", "webhook", body["syncId"]!.GetValue<string>()), (message.Connection, message.Trigger, message.SyncId));
        Assert.Contains("GET /secrets/hello--webhook-secret", Vault.Requests);
    }

    [Fact]
    public async Task Webhook_ReplayOfSameIdWithinWindow_Returns409AndHandsNothingOn()
    {
        var id = SignedDelivery.NewId();
        var sentAt = Now;
        using var first = await SendAsync(App, SignedDelivery.Create(Path, Payload, Secret, id, sentAt));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.NotNull(await App.DequeueAsync());
        await App.Store.ReleaseRunReservationAsync("hello", (await first.Content.ReadFromJsonAsync<JsonObject>())!["syncId"]!.GetValue<string>(), CancellationToken.None);
        App.Time.Advance(TimeSpan.FromMinutes(4));

        using var replay = await SendAsync(App, SignedDelivery.Create(Path, Payload, Secret, id, sentAt));
        using var retried = await SendAsync(App, SignedDelivery.Create(Path, Payload, Secret, id, Now));

        Assert.Equal(HttpStatusCode.Conflict, replay.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, retried.StatusCode);
        Assert.Contains($"Webhook '{id}' of connection 'hello' was received before", await replay.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(await App.DequeueAsync());
    }

    [Fact]
    public async Task Webhook_ReplayOfSameIdWithOldTimestamp_Returns401AndHandsNothingOn()
    {
        var id = SignedDelivery.NewId();
        var sentAt = Now;
        using var first = await SendAsync(App, SignedDelivery.Create(Path, Payload, Secret, id, sentAt));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.NotNull(await App.DequeueAsync());
        await App.Store.ReleaseRunReservationAsync("hello", (await first.Content.ReadFromJsonAsync<JsonObject>())!["syncId"]!.GetValue<string>(), CancellationToken.None);
        App.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        using var replay = await SendAsync(App, SignedDelivery.Create(Path, Payload, Secret, id, sentAt));

        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Contains("webhook-timestamp is 301 seconds old; at most 300 are allowed", await replay.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(await App.DequeueAsync());
    }

    [Fact]
    public async Task Webhook_TimestampAheadOfWindow_Returns401()
    {
        using var response = await SendAsync(App, SignedDelivery.Create(Path, Payload, Secret, SignedDelivery.NewId(), Now.AddMinutes(6)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("ahead of the receiver's clock", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertUntouchedAsync(App);
    }

    [Fact]
    public async Task Webhook_SeveralSignaturesOneOfThemRight_Returns202()
    {
        var id = SignedDelivery.NewId();
        using var request = SignedDelivery.Create(Path, Payload, Secret, id, Now);
        var right = request.Headers.GetValues("webhook-signature").Single();
        request.Headers.Remove("webhook-signature");
        var old = WebhookSignatures.SignStandard(id, Now.ToUnixTimeSeconds(), Payload, "whsec_b2xkIHNlY3JldCBrZXkgb2YgdGhlIHNlbmRlcg==");
        request.Headers.Add("webhook-signature", $"{old} v1a,bm90IGNoZWNrZWQ= {right}");

        using var response = await SendAsync(App, request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData("whsec_b3RoZXIgc2VjcmV0IG9mIGFub3RoZXIgYXBw", "body")]
    [InlineData(Secret, "id")]
    [InlineData(Secret, "timestamp")]
    public async Task Webhook_SignatureOfOtherSecretIdOrTimestamp_Returns401AndHandsNothingOn(string signingSecret, string changed)
    {
        var id = SignedDelivery.NewId();
        using var request = SignedDelivery.Create(Path, Payload, signingSecret, id, Now);
        if (changed != "body")
        {
            request.Headers.Remove("webhook-" + changed);
            request.Headers.Add("webhook-" + changed, changed == "id" ? id + "x" : (Now.ToUnixTimeSeconds() - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        using var response = await SendAsync(App, request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("No v1 signature", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertUntouchedAsync(App);
    }

    [Fact]
    public async Task Webhook_SignatureOfOtherBody_Returns401()
    {
        var tampered = Encoding.UTF8.GetBytes("{\"event\":\"row.changed\",\"id\":43}");
        using var request = SignedDelivery.Create(Path, Payload, Secret, SignedDelivery.NewId(), Now);
        request.Content = new ByteArrayContent(tampered);

        using var response = await SendAsync(App, request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await AssertUntouchedAsync(App);
    }

    [Theory]
    [InlineData("webhook-id", "", "lacks the Standard Webhooks headers webhook-id")]
    [InlineData("webhook-id", "a.b", "other than '.' and space")]
    [InlineData("webhook-timestamp", "", "lacks the Standard Webhooks headers webhook-timestamp")]
    [InlineData("webhook-timestamp", "2026-11-27T08:00:00Z", "whole number of seconds")]
    [InlineData("webhook-signature", "", "lacks the Standard Webhooks headers webhook-signature")]
    [InlineData("webhook-signature", "v2,abc v1a,abc", "holds no v1 signature")]
    [InlineData("webhook-signature", "v1,not-base64", "No v1 signature")]
    public async Task Webhook_MissingOrMalformedHeader_Returns401SayingWhich(string header, string value, string expected)
    {
        using var request = SignedDelivery.Create(Path, Payload, Secret, SignedDelivery.NewId(), Now);
        request.Headers.Remove(header);
        if (value.Length > 0)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        using var response = await SendAsync(App, request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_BodyOnlySignatureNotOptedIn_Returns401NamingTheStandardHeaders()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new ByteArrayContent(Payload) };
        request.Headers.Add(WebhookSignatures.BodyOnlyHeader, WebhookSignatures.SignBodyOnly(Payload, Secret));

        using var response = await SendAsync(App, request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("does not accept body-only signatures", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertUntouchedAsync(App);
    }

    [Fact]
    public async Task Webhook_BodyOnlySignatureOptedIn_Returns202AndWrongOneReturns401()
    {
        await using var app = await FunctionsApp.StartAsync(
            Azurite, FunctionsApp.KeyVault(Vault), new Dictionary<string, string?> { ["Tributary:Webhooks:BodyOnlySignatures:hello"] = "true" });
        using var right = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new ByteArrayContent(Payload) };
        right.Headers.Add(WebhookSignatures.BodyOnlyHeader, WebhookSignatures.SignBodyOnly(Payload, Secret).ToUpperInvariant().Replace("SHA256=", "sha256=", StringComparison.Ordinal));
        using var wrong = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new ByteArrayContent(Payload) };
        wrong.Headers.Add(WebhookSignatures.BodyOnlyHeader, WebhookSignatures.SignBodyOnly(Payload, "another secret"));

        using var accepted = await SendAsync(app, right);
        using var refused = await SendAsync(app, wrong);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Webhook_ThousandForgedOrUnsignedRequests_CostOneSecretReadPerLifetime()
    {
        var requests = Enumerable.Range(0, 1000).Select(i =>
        {
            if (i % 2 == 0)
            {
                return new HttpRequestMessage(HttpMethod.Post, Path) { Content = new ByteArrayContent(Payload) };
            }

            var forged = SignedDelivery.Create(Path, Payload, "whsec_Zm9yZ2VkIGJ5IHNvbWVvbmUgd2l0aG91dCB0aGUga2V5", SignedDelivery.NewId(), Now);
            return forged;
        }).ToList();

        var statuses = new List<HttpStatusCode>();
        foreach (var batch in requests.Chunk(50))
        {
            var responses = await Task.WhenAll(batch.Select(request => SendAsync(App, request)));
            statuses.AddRange(responses.Select(response => response.StatusCode));
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        // One read; the vault also counts the bearer challenge that precedes the client's first authenticated request.
        var reads = Vault.Requests.Count(request => request == "GET /secrets/hello--webhook-secret");
        Assert.InRange(reads, 1, 2);
        await AssertUntouchedAsync(App);

        App.Time.Advance(TimeSpan.FromMinutes(5));
        using var afterLifetime = await SendAsync(App, SignedDelivery.Create(Path, Payload, Secret, SignedDelivery.NewId(), Now));
        Assert.Equal(HttpStatusCode.Accepted, afterLifetime.StatusCode);
        Assert.Equal(reads + 1, Vault.Requests.Count(request => request == "GET /secrets/hello--webhook-secret"));
    }

    [Fact]
    public async Task Webhook_OversizedBody_Returns413AndHandsNothingOn()
    {
        var large = new byte[1025];

        using var response = await SendAsync(App, SignedDelivery.Create(Path, large, Secret, SignedDelivery.NewId(), Now));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertUntouchedAsync(App);
    }

    [Fact]
    public async Task Webhook_UnknownConnector_Returns404() =>
        Assert.Equal(
            HttpStatusCode.NotFound,
            (await SendAsync(App, SignedDelivery.Create("/api/connections/nope/webhook", Payload, Secret, SignedDelivery.NewId(), Now))).StatusCode);

    [Fact]
    public async Task Webhook_ConnectorWithoutSecret_Returns500WithClearErrorAndHandsNothingOn()
    {
        using var response = await SendAsync(App, SignedDelivery.Create("/api/connections/synthetic/webhook", Payload, Secret, SignedDelivery.NewId(), Now));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("Connection 'synthetic' has no usable webhook secret", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(App.Logs.Lines, line => line.Contains("it has no usable secret webhook_secret", StringComparison.Ordinal));
        await AssertUntouchedAsync(App, "synthetic");
    }

    [Fact]
    public async Task Webhook_UnreachableKeyVault_Returns503AndHandsNothingOn()
    {
        var unreachable = new KeyVaultSecretStore(FakeKeyVault.CreateClient(new Uri($"https://127.0.0.1:{FreePort.Next()}/"), Vault.Certificate));
        await using var app = await FunctionsApp.StartAsync(Azurite, unreachable);

        using var response = await SendAsync(app, SignedDelivery.Create(Path, Payload, Secret, SignedDelivery.NewId(), app.Time.GetUtcNow()));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("could not be read", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(app.Logs.Lines, line => line.Contains("Could not read secret 'hello--webhook-secret'", StringComparison.Ordinal));
        await AssertUntouchedAsync(app);
    }

    private static Task<HttpResponseMessage> SendAsync(FunctionsApp app, HttpRequestMessage request) =>
        app.CreateClient(withKey: false).SendAsync(request);

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
