using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime.Internal.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tributary.Connectors.AwsAthena;
using Tributary.Connectors.Tests.Sources;

namespace Tributary.Connectors.Tests.AwsAthena;

/// <summary>A customer row of the fake's <c>test_rows</c> table.</summary>
internal sealed record Customer(string Id, string FirstName, string LastName, string Email, long Visits);

/// <summary>
/// A fake of Athena's JSON API (<c>awsJson1_1</c>: <c>POST /</c>, <c>X-Amz-Target: AmazonAthena.&lt;Operation&gt;</c>,
/// <c>Content-Type: application/x-amz-json-1.1</c>) for <c>StartQueryExecution</c>, <c>GetQueryExecution</c> and
/// <c>GetQueryResults</c> (<c>MaxResults</c>, <c>NextToken</c>, the first page led by a row of column labels, every value as
/// <c>VarCharValue</c>). Every request's Signature V4 is checked: the <c>Authorization</c> header's shape, the key id
/// (unknown: 400 <c>UnrecognizedClientException</c>) and the signature recomputed with the key's secret, AWSSDK.Core's
/// signer closing the chain (wrong: 403 <c>InvalidSignatureException</c>). A query stays QUEUED, then RUNNING, for
/// <see cref="PollsBeforeDone"/> polls, then SUCCEEDED with a snapshot of <see cref="Table"/> taken at its start, or FAILED.
/// </summary>
internal sealed class AthenaFake : IAsyncDisposable
{
    public const string Region = "us-east-1";

    private static readonly string[] Columns = ["customer_id", "first_name", "last_name", "email", "visits"];
    private readonly Dictionary<string, string> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Query> _queries = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private string? _failNext;

    private AthenaFake(string accessKeyId, string secretAccessKey) => _keys[accessKeyId] = secretAccessKey;

    public FakeApi Api { get; private set; } = null!;

    /// <summary>The table the queries read; a test changes it between syncs.</summary>
    public List<Customer> Table { get; } = [];

    /// <summary>How many <c>GetQueryExecution</c> calls see a query QUEUED or RUNNING before it ends.</summary>
    public int PollsBeforeDone { get; set; } = 3;

    /// <summary>Whether a started query has not yet been reported ended: what a test's clock pump waits on.</summary>
    public bool Running
    {
        get
        {
            lock (_gate)
            {
                return _queries.Values.Any(q => q.Polls <= PollsBeforeDone && q.Failure is null);
            }
        }
    }

    /// <summary>The operations called, in order (<c>StartQueryExecution</c>, …).</summary>
    public IReadOnlyList<string> Operations => [.. Api.Requests.Select(r => r.Headers.GetValueOrDefault("x-amz-target", "?").Replace("AmazonAthena.", string.Empty, StringComparison.Ordinal))];

    public static async Task<AthenaFake> StartAsync(string accessKeyId, string secretAccessKey)
    {
        var fake = new AthenaFake(accessKeyId, secretAccessKey);
        fake.Api = await FakeApi.StartAsync(app => app.MapPost("/", fake.HandleAsync));
        return fake;
    }

    /// <summary>The next query started fails, as a query on a missing table does.</summary>
    public void FailNextQuery(string reason)
    {
        lock (_gate)
        {
            _failNext = reason;
        }
    }

    public ValueTask DisposeAsync() => Api.DisposeAsync();

    private async Task<IResult> HandleAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        if (Verify(request, body) is { } refused)
        {
            return refused;
        }

        if (!string.Equals(request.ContentType, "application/x-amz-json-1.1", StringComparison.Ordinal))
        {
            return Error(400, "SerializationException", $"Unexpected content type {request.ContentType}");
        }

        var input = JsonNode.Parse(body)!.AsObject();
        lock (_gate)
        {
            return request.Headers["X-Amz-Target"].ToString() switch
            {
                "AmazonAthena.StartQueryExecution" => Start(input),
                "AmazonAthena.GetQueryExecution" => Execution(input),
                "AmazonAthena.GetQueryResults" => QueryResults(input),
                var other => Error(400, "UnknownOperationException", $"Unknown operation {other}"),
            };
        }
    }

    // The Authorization header's shape, the key, then the signature over what arrived.
    private IResult? Verify(HttpRequest request, byte[] body)
    {
        var authorization = request.Headers.Authorization.ToString();
        var parts = authorization.StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal)
            ? authorization["AWS4-HMAC-SHA256 ".Length..].Split(", ").Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal)
            : [];
        if (!parts.TryGetValue("Credential", out var credential) || !parts.TryGetValue("SignedHeaders", out var signedHeaders) || !parts.TryGetValue("Signature", out var signature))
        {
            return Error(400, "IncompleteSignatureException", $"Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters. Authorization={authorization}");
        }

        var scope = credential.Split('/');
        var amzDate = request.Headers["X-Amz-Date"].ToString();
        if (scope.Length != 5 || scope[2] != Region || scope[3] != "athena" || scope[4] != "aws4_request" || amzDate.Length != 16 || scope[1] != amzDate[..8])
        {
            return Error(400, "IncompleteSignatureException", $"Credential should be scoped to a valid region and service ({credential}).");
        }

        var signed = signedHeaders.Split(';');
        if (!signed.Contains("host") || !signed.Contains("x-amz-date") || !signed.Contains("x-amz-target") || !signed.Contains("content-type"))
        {
            return Error(400, "IncompleteSignatureException", $"Signed headers must include host, x-amz-date, x-amz-target and content-type ({signedHeaders}).");
        }

        string? secret;
        lock (_gate)
        {
            _keys.TryGetValue(scope[0], out secret);
        }

        if (secret is null)
        {
            return Error(400, "UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        var uri = new Uri($"http://{request.Host}{request.Path}{request.QueryString}");
        var headers = signed.Select(name => new KeyValuePair<string, string>(name, request.Headers[name].ToString()));
        var canonical = AwsSignatureV4.CanonicalRequest(request.Method, uri, headers, Convert.ToHexStringLower(SHA256.HashData(body)), out _);
        var signedAt = DateTime.ParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        var expected = AWS4Signer.ComputeSignature(scope[0], secret, Region, signedAt, "athena", signedHeaders, canonical).Signature;
        return string.Equals(expected, signature, StringComparison.Ordinal)
            ? null
            : Error(403, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
    }

    private IResult Start(JsonObject input)
    {
        var token = input["ClientRequestToken"]?.GetValue<string>() ?? Guid.NewGuid().ToString();
        var existing = _queries.Values.FirstOrDefault(q => q.Token == token);
        if (existing is not null)
        {
            return Results.Json(new JsonObject { ["QueryExecutionId"] = existing.Id });
        }

        var sql = input["QueryString"]?.GetValue<string>() ?? string.Empty;
        var failure = _failNext ?? (sql == "SELECT * FROM test_rows" ? null : $"line 1:15: Table awsdatacatalog.{input["QueryExecutionContext"]?["Database"]}.{sql.Split(' ').Last()} does not exist");
        _failNext = null;
        var query = new Query(Guid.NewGuid().ToString(), token, [.. Table], failure);
        _queries[query.Id] = query;
        return Results.Json(new JsonObject { ["QueryExecutionId"] = query.Id });
    }

    private IResult Execution(JsonObject input)
    {
        if (!_queries.TryGetValue(input["QueryExecutionId"]?.GetValue<string>() ?? string.Empty, out var query))
        {
            return Error(400, "InvalidRequestException", "QueryExecution was not found");
        }

        var status = new JsonObject();
        if (query.Polls < PollsBeforeDone && query.Failure is null)
        {
            status["State"] = query.Polls == 0 ? "QUEUED" : "RUNNING";
        }
        else if (query.Failure is { } failure)
        {
            status["State"] = "FAILED";
            status["StateChangeReason"] = failure;
            status["AthenaError"] = new JsonObject { ["ErrorCategory"] = 2, ["ErrorType"] = 1301, ["Retryable"] = false, ["ErrorMessage"] = failure };
        }
        else
        {
            status["State"] = "SUCCEEDED";
        }

        query.Polls++;
        return Results.Json(new JsonObject
        {
            ["QueryExecution"] = new JsonObject { ["QueryExecutionId"] = query.Id, ["StatementType"] = "DML", ["Status"] = status },
        });
    }

    private IResult QueryResults(JsonObject input)
    {
        if (!_queries.TryGetValue(input["QueryExecutionId"]?.GetValue<string>() ?? string.Empty, out var query) || query.Polls <= PollsBeforeDone || query.Failure is not null)
        {
            return Error(400, "InvalidRequestException", "Query has not yet finished. Current state: RUNNING");
        }

        var max = input["MaxResults"]?.GetValue<int>() ?? 1000;
        var offset = input["NextToken"]?.GetValue<string>() is { } token ? int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split(':')[1], CultureInfo.InvariantCulture) : 0;
        var rows = new JsonArray();
        var header = offset == 0 ? 1 : 0;   // the first page's first row holds the column labels, within MaxResults
        if (header == 1)
        {
            rows.Add(Row(Columns));
        }

        var page = query.Snapshot.Skip(offset).Take(max - header).ToList();
        foreach (var c in page)
        {
            rows.Add(Row([c.Id, c.FirstName, c.LastName, c.Email, c.Visits.ToString(CultureInfo.InvariantCulture)]));
        }

        var answer = new JsonObject
        {
            ["UpdateCount"] = 0,
            ["ResultSet"] = new JsonObject
            {
                ["Rows"] = rows,
                ["ResultSetMetadata"] = new JsonObject
                {
                    ["ColumnInfo"] = new JsonArray([.. Columns.Select(c => new JsonObject { ["Name"] = c, ["Label"] = c, ["Type"] = c == "visits" ? "bigint" : "varchar", ["Nullable"] = "UNKNOWN" })]),
                },
            },
        };
        if (offset + page.Count < query.Snapshot.Count)
        {
            answer["NextToken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{query.Id}:{offset + page.Count}"));
        }

        return Results.Json(answer);
    }

    private static JsonObject Row(IEnumerable<string?> values) =>
        new() { ["Data"] = new JsonArray([.. values.Select(v => v is null ? new JsonObject() : new JsonObject { ["VarCharValue"] = v })]) };

    private static IResult Error(int status, string type, string message) =>
        Results.Json(new JsonObject { ["__type"] = type, ["message"] = message }, statusCode: status, contentType: "application/x-amz-json-1.1");

    private sealed class Query(string id, string token, List<Customer> snapshot, string? failure)
    {
        public string Id { get; } = id;

        public string Token { get; } = token;

        public List<Customer> Snapshot { get; } = snapshot;

        public string? Failure { get; } = failure;

        public int Polls { get; set; }
    }
}
