using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Tributary.Sdk;
using Tributary.Sdk.Http;

namespace Tributary.Connectors.AwsAthena;

/// <summary>One page of a query's results: the column names and types, the rows (values typed by column), the next token.</summary>
internal sealed record AthenaPage(IReadOnlyList<AthenaColumn> Columns, IReadOnlyList<Dictionary<string, object?>> Rows, string? NextToken);

/// <summary>A result column: its label and Athena's type name (<c>varchar</c>, <c>bigint</c>, <c>timestamp</c>, …).</summary>
internal sealed record AthenaColumn(string Name, string Type);

/// <summary>
/// Athena's JSON API (protocol <c>awsJson1_1</c>): a POST to the regional endpoint with <c>X-Amz-Target:
/// AmazonAthena.&lt;Operation&gt;</c>, signed with Signature V4, through the HTTP toolkit (retries, limits, timeouts).
/// Starts a query, waits for it without holding a thread, and reads its results a page at a time.
/// </summary>
internal sealed partial class AthenaClient : IDisposable
{
    private const int MaxPollSeconds = 30;
    private static readonly string[] CredentialErrors =
        ["UnrecognizedClientException", "InvalidSignatureException", "IncompleteSignature", "MissingAuthenticationToken", "AccessDeniedException", "ExpiredTokenException", "InvalidClientTokenId", "SignatureDoesNotMatch"];

    private readonly RestClient _http;
    private readonly AthenaSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public AthenaClient(SyncContext context, AthenaSettings settings, AwsCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(context);
        _settings = settings;
        _time = context.TimeProvider;
        _logger = context.Logger;
        var signer = new AwsSigV4Handler(credentials, settings.Region, "athena", "application/x-amz-json-1.1", context.TimeProvider)
        {
            InnerHandler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) },
        };
        // Signing sits below the retries, so every attempt is signed afresh; StartQueryExecution carries a ClientRequestToken,
        // so retrying it (an unsafe method) cannot start a second query.
        var options = new RestClientOptions { BaseAddress = settings.Endpoint, RetryUnsafeMethods = true, TimeProvider = context.TimeProvider };
        _http = new RestClient(context, options, signer);
    }

    /// <summary>Reads the connection's AWS key from its secrets.</summary>
    public static async Task<AwsCredentials> CredentialsAsync(SyncContext context, CancellationToken cancellationToken) => new(
        await context.GetSecretAsync("aws_access_key_id", cancellationToken),
        await context.GetSecretAsync("aws_secret_access_key", cancellationToken));

    /// <summary><c>StartQueryExecution</c>: the query's id. A client request token makes a retried start the same query.</summary>
    public async Task<string> StartQueryAsync(string sql, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["QueryString"] = sql,
            ["ClientRequestToken"] = Guid.NewGuid().ToString("N"),
            ["QueryExecutionContext"] = new JsonObject { ["Database"] = _settings.Database },
            ["ResultConfiguration"] = new JsonObject { ["OutputLocation"] = _settings.OutputLocation },
        };
        if (_settings.WorkGroup is { } workGroup)
        {
            body["WorkGroup"] = workGroup;
        }

        var answer = await CallAsync("StartQueryExecution", body, cancellationToken);
        var id = answer["QueryExecutionId"]?.GetValue<string>() ?? throw Malformed("StartQueryExecution", "no QueryExecutionId");
        LogStarted(_logger, id, _settings.Database);
        return id;
    }

    /// <summary>
    /// Polls <c>GetQueryExecution</c> until the query leaves QUEUED and RUNNING, waiting between polls on the sync's clock
    /// (an awaited timer, no thread held): the first wait <see cref="AthenaSettings.FirstPoll"/>, doubling up to 30 s.
    /// </summary>
    /// <exception cref="ConfigurationException">The query failed for a reason in the query or the connection (a user error).</exception>
    /// <exception cref="SourceUnavailableException">The query failed on Athena's side, or was cancelled.</exception>
    public async Task WaitAsync(string queryExecutionId, CancellationToken cancellationToken)
    {
        var wait = _settings.FirstPoll;
        for (var poll = 1; ; poll++)
        {
            var answer = await CallAsync("GetQueryExecution", new JsonObject { ["QueryExecutionId"] = queryExecutionId }, cancellationToken);
            var status = answer["QueryExecution"]?["Status"] ?? throw Malformed("GetQueryExecution", "no QueryExecution.Status");
            var state = status["State"]?.GetValue<string>();
            switch (state)
            {
                case "SUCCEEDED":
                    LogSucceeded(_logger, queryExecutionId, poll);
                    return;
                case "QUEUED" or "RUNNING":
                    LogWaiting(_logger, queryExecutionId, state, wait.TotalMilliseconds);
                    await Task.Delay(wait, _time, cancellationToken);
                    wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, TimeSpan.FromSeconds(MaxPollSeconds).Ticks));
                    break;
                case "FAILED" or "CANCELLED":
                    throw Failed(queryExecutionId, state, status);
                default:
                    throw Malformed("GetQueryExecution", $"an unknown state '{state}'");
            }
        }
    }

    /// <summary><c>GetQueryResults</c>: one page, from the start (<paramref name="nextToken"/> null) or from a token.</summary>
    public async Task<AthenaPage> GetResultsAsync(string queryExecutionId, string? nextToken, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["QueryExecutionId"] = queryExecutionId, ["MaxResults"] = _settings.PageSize };
        if (nextToken is not null)
        {
            body["NextToken"] = nextToken;
        }

        var answer = await CallAsync("GetQueryResults", body, cancellationToken);
        var columns = (answer["ResultSet"]?["ResultSetMetadata"]?["ColumnInfo"] as JsonArray ?? throw Malformed("GetQueryResults", "no ResultSet.ResultSetMetadata.ColumnInfo"))
            .Select(c => new AthenaColumn(c?["Name"]?.GetValue<string>() ?? "?", c?["Type"]?.GetValue<string>() ?? "varchar"))
            .ToList();
        var rows = answer["ResultSet"]?["Rows"] as JsonArray ?? throw Malformed("GetQueryResults", "no ResultSet.Rows");
        var values = rows.Select(row => (row?["Data"] as JsonArray ?? []).Select(cell => cell?["VarCharValue"]?.GetValue<string>()).ToList());

        // A SELECT's first page starts with a row of the column labels.
        if (nextToken is null && values.FirstOrDefault() is { } first && first.SequenceEqual(columns.Select(c => c.Name)))
        {
            values = values.Skip(1);
        }

        var typed = values.Select(cells => columns.Select((column, i) => (column.Name, Value: Typed(column, i < cells.Count ? cells[i] : null)))
            .ToDictionary(c => c.Name, c => c.Value, StringComparer.Ordinal)).ToList();
        return new AthenaPage(columns, typed, answer["NextToken"]?.GetValue<string>());
    }

    public void Dispose() => _http.Dispose();

    // Athena returns every value as text; the column's type says what it is.
    private static object? Typed(AthenaColumn column, string? text) => text is null ? null : column.Type.ToLowerInvariant() switch
    {
        "boolean" => bool.Parse(text),
        "tinyint" or "smallint" or "integer" or "int" or "bigint" => long.Parse(text, CultureInfo.InvariantCulture),
        "double" or "float" or "real" => double.Parse(text, CultureInfo.InvariantCulture),
        "decimal" => decimal.Parse(text, CultureInfo.InvariantCulture),
        "date" => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture),
        "timestamp" => DateTime.SpecifyKind(DateTime.Parse(text, CultureInfo.InvariantCulture), DateTimeKind.Utc),
        _ => text,
    };

    private async Task<JsonObject> CallAsync(string operation, JsonObject body, CancellationToken cancellationToken)
    {
        var request = new RestRequest(string.Empty) { Method = HttpMethod.Post, JsonBody = body };
        request.Headers["X-Amz-Target"] = "AmazonAthena." + operation;
        try
        {
            return await _http.GetJsonAsync(request, cancellationToken) as JsonObject ?? throw Malformed(operation, "the body is not a JSON object");
        }
        catch (Exception ex) when (ex is RestException or ConfigurationException && CredentialErrors.FirstOrDefault(e => ex.Message.Contains(e, StringComparison.Ordinal)) is { } error)
        {
            throw new ConfigurationException(
                $"Athena refused the connection's AWS credentials ({error}) on {operation}: check the secrets 'aws_access_key_id' and 'aws_secret_access_key', and that the key may use Athena in {_settings.Region}. {ex.Message}",
                ex);
        }
    }

    private static Exception Failed(string queryExecutionId, string state, JsonNode status)
    {
        var reason = status["AthenaError"]?["ErrorMessage"]?.GetValue<string>() ?? status["StateChangeReason"]?.GetValue<string>() ?? "no reason given";
        var message = $"Athena query {queryExecutionId} ended {state}: {reason}";
        var category = status["AthenaError"]?["ErrorCategory"]?.GetValue<int>();
        var retryable = status["AthenaError"]?["Retryable"]?.GetValue<bool>() ?? false;
        // ErrorCategory 2 is a user error: the query, the database or the output location; retrying will not help.
        return state == "FAILED" && category == 2 && !retryable
            ? new ConfigurationException(message + ". Check the connection's table_name, database_name and s3_staging_dir.")
            : new SourceUnavailableException(message + ". The next sync starts the query again.");
    }

    private RestException Malformed(string operation, string problem) =>
        new($"Athena's {operation} at {_settings.Endpoint} answered with {problem}.", _settings.Endpoint, null);

    [LoggerMessage(EventId = 2700, Level = LogLevel.Information, Message = "Started Athena query {QueryExecutionId} in database {Database}")]
    private static partial void LogStarted(ILogger logger, string queryExecutionId, string database);

    [LoggerMessage(EventId = 2701, Level = LogLevel.Debug, Message = "Athena query {QueryExecutionId} is {State}; polling again in {WaitMs} ms")]
    private static partial void LogWaiting(ILogger logger, string queryExecutionId, string state, double waitMs);

    [LoggerMessage(EventId = 2702, Level = LogLevel.Information, Message = "Athena query {QueryExecutionId} succeeded after {Polls} polls")]
    private static partial void LogSucceeded(ILogger logger, string queryExecutionId, int polls);
}
