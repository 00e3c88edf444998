using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tributary.Connectors.Tests.Sources;

namespace Tributary.Connectors.Tests.GcpPubSub;

/// <summary>
/// A fake of Pub/Sub's REST API for one subscription, and of Google's OAuth token endpoint. <c>POST /token</c> takes a
/// JWT-bearer grant (RFC 7523) and checks the assertion: RS256 signed by the test's service-account key, <c>iss</c> the
/// account, <c>aud</c> Google's token endpoint (what Google.Apis.Auth puts there, wherever it posts), the Pub/Sub scope, a live <c>exp</c>; else 400 <c>invalid_grant</c>.
/// <c>POST /v1/projects/{p}/subscriptions/{s}:pull</c> hands out up to <c>maxMessages</c> messages that are neither
/// acknowledged nor leased, each with a new ack id and a lease of <see cref="AckDeadline"/> on the test's clock;
/// <c>:acknowledge</c> removes the messages whose current ack ids it gets. A message whose lease ran out is delivered again.
/// </summary>
internal sealed class PubSubFake : IAsyncDisposable
{
    public const string Project = "tributary-tests";
    public const string Subscription = "orders-sub";
    public const string ClientEmail = "tributary@tributary-tests.iam.gserviceaccount.com";
    public static readonly TimeSpan AckDeadline = TimeSpan.FromSeconds(10);

    /// <summary>The assertion's audience: Google's token endpoint, whichever URI the assertion is posted to.</summary>
    private const string Audience = "https://oauth2.googleapis.com/token";

    private readonly RSA _accountKey;
    private readonly TimeProvider _time;
    private readonly List<Message> _messages = [];
    private readonly HashSet<string> _tokens = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private int _published;

    private PubSubFake(RSA accountKey, TimeProvider time) => (_accountKey, _time) = (accountKey, time);

    public FakeApi Api { get; private set; } = null!;

    public Uri TokenUri => new(Api.BaseUri, "token");

    /// <summary>Every ack id acknowledged, in order, with its message id.</summary>
    public List<string> Acknowledged { get; } = [];

    /// <summary>Called on each pull before it answers (a test moves its clock here).</summary>
    public Action? OnPull { get; set; }

    /// <summary>Messages neither acknowledged nor leased.</summary>
    public int Available
    {
        get
        {
            lock (_gate)
            {
                return _messages.Count(m => !m.Acked && m.LeasedUntil <= _time.GetUtcNow());
            }
        }
    }

    /// <summary>Messages not acknowledged, leased or not.</summary>
    public int Unacknowledged
    {
        get
        {
            lock (_gate)
            {
                return _messages.Count(m => !m.Acked);
            }
        }
    }

    public static async Task<PubSubFake> StartAsync(RSA accountKey, TimeProvider time)
    {
        var fake = new PubSubFake(accountKey, time);
        fake.Api = await FakeApi.StartAsync(app =>
        {
            app.MapPost("/token", fake.TokenAsync);
            app.MapPost("/v1/projects/{project}/subscriptions/{*call}", fake.SubscriptionAsync);
        });
        return fake;
    }

    /// <summary>The key file a service account's owner downloads, with <c>token_uri</c> at this fake.</summary>
    public string KeyFile(RSA privateKey) => new JsonObject
    {
        ["type"] = "service_account",
        ["project_id"] = Project,
        ["private_key_id"] = "0123456789abcdef0123456789abcdef01234567",
        ["private_key"] = privateKey.ExportPkcs8PrivateKeyPem(),
        ["client_email"] = ClientEmail,
        ["client_id"] = "104857390123456789012",
        ["auth_uri"] = "https://accounts.google.com/o/oauth2/auth",
        ["token_uri"] = TokenUri.AbsoluteUri,
    }.ToJsonString();

    /// <summary>Publishes messages with the original's payload shape; returns their ids.</summary>
    public List<string> Publish(int count)
    {
        lock (_gate)
        {
            var ids = new List<string>();
            for (var i = 0; i < count; i++)
            {
                var n = ++_published;
                var id = (9_000_000_000_000L + n).ToString(System.Globalization.CultureInfo.InvariantCulture);
                var data = $$"""{"data": "Message {{n}}", "timestamp": "2021-09-01T00:00:{{n % 60:00}}Z"}""";
                _messages.Add(new Message(id, data, _time.GetUtcNow()));
                ids.Add(id);
            }

            return ids;
        }
    }

    public ValueTask DisposeAsync() => Api.DisposeAsync();

    private async Task<IResult> TokenAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        if (form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer")
        {
            return Results.Json(new JsonObject { ["error"] = "unsupported_grant_type", ["error_description"] = "Invalid grant_type" }, statusCode: 400);
        }

        var parts = form["assertion"].ToString().Split('.');
        if (parts.Length != 3
            || !_accountKey.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), Base64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return InvalidGrant("Invalid JWT Signature.");
        }

        using var header = JsonDocument.Parse(Base64Url(parts[0]));
        using var claims = JsonDocument.Parse(Base64Url(parts[1]));
        var claim = claims.RootElement;
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (header.RootElement.GetProperty("alg").GetString() != "RS256"
            || claim.GetProperty("iss").GetString() != ClientEmail
            || claim.GetProperty("aud").GetString() != Audience
            || !(claim.GetProperty("scope").GetString() ?? string.Empty).Split(' ').Contains("https://www.googleapis.com/auth/pubsub")
            || claim.GetProperty("exp").GetInt64() < now
            || claim.GetProperty("iat").GetInt64() > now + 300)
        {
            return InvalidGrant("Invalid JWT: claims do not match this service account, its token URI or the time.");
        }

        var token = "ya29." + Guid.NewGuid().ToString("N");
        lock (_gate)
        {
            _tokens.Add(token);
        }

        return Results.Json(new JsonObject { ["access_token"] = token, ["expires_in"] = 3599, ["token_type"] = "Bearer" });
    }

    private async Task<IResult> SubscriptionAsync(HttpRequest request, string project, string call)
    {
        var bearer = request.Headers.Authorization.ToString();
        lock (_gate)
        {
            if (!bearer.StartsWith("Bearer ", StringComparison.Ordinal) || !_tokens.Contains(bearer["Bearer ".Length..]))
            {
                return GoogleError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token.");
            }
        }

        if (project != Project || !call.StartsWith(Subscription + ":", StringComparison.Ordinal))
        {
            return GoogleError(404, "NOT_FOUND", $"Resource not found (resource={call.Split(':')[0]}).");
        }

        var body = await JsonNode.ParseAsync(request.Body) ?? new JsonObject();
        switch (call[(Subscription.Length + 1)..])
        {
            case "pull":
                OnPull?.Invoke();
                return Pull(body["maxMessages"]?.GetValue<int>() ?? 0);
            case "acknowledge":
                Acknowledge((body["ackIds"] as JsonArray ?? []).Select(a => a!.GetValue<string>()));
                return Results.Json(new JsonObject());
            default:
                return GoogleError(400, "INVALID_ARGUMENT", $"Unknown method {call}.");
        }
    }

    private IResult Pull(int maxMessages)
    {
        if (maxMessages < 1)
        {
            return GoogleError(400, "INVALID_ARGUMENT", "max_messages must be positive.");
        }

        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var received = new JsonArray();
            foreach (var message in _messages.Where(m => !m.Acked && m.LeasedUntil <= now).Take(maxMessages))
            {
                message.AckId = $"ack-{message.Id}-{++message.Deliveries}";
                message.LeasedUntil = now + AckDeadline;
                received.Add(new JsonObject
                {
                    ["ackId"] = message.AckId,
                    ["message"] = new JsonObject
                    {
                        ["data"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(message.Data)),
                        ["messageId"] = message.Id,
                        ["publishTime"] = message.Published.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
                    },
                    ["deliveryAttempt"] = message.Deliveries,
                });
            }

            return Results.Json(received.Count == 0 ? new JsonObject() : new JsonObject { ["receivedMessages"] = received });
        }
    }

    private void Acknowledge(IEnumerable<string> ackIds)
    {
        lock (_gate)
        {
            foreach (var ackId in ackIds)
            {
                Acknowledged.Add(ackId);
                if (_messages.FirstOrDefault(m => m.AckId == ackId) is { } message)
                {
                    message.Acked = true;
                }
            }
        }
    }

    private static byte[] Base64Url(string text) => Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/').PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '='));

    private static IResult InvalidGrant(string description) =>
        Results.Json(new JsonObject { ["error"] = "invalid_grant", ["error_description"] = description }, statusCode: 400);

    private static IResult GoogleError(int code, string status, string message) =>
        Results.Json(new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message, ["status"] = status } }, statusCode: code);

    private sealed class Message(string id, string data, DateTimeOffset published)
    {
        public string Id { get; } = id;

        public string Data { get; } = data;

        public DateTimeOffset Published { get; } = published;

        public string? AckId { get; set; }

        public int Deliveries { get; set; }

        public DateTimeOffset LeasedUntil { get; set; } = DateTimeOffset.MinValue;

        public bool Acked { get; set; }
    }
}
