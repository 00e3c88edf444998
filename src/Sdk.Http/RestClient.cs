using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly.Timeout;
using Tributary.Sdk.Http.Reading;

namespace Tributary.Sdk.Http;

/// <summary>
/// A REST source's client: requests with the connection's authentication, rate and concurrency limits and retries, and
/// records streamed across pages. Create one per sync and dispose it at the end; it is thread-safe, so parallel fetchers
/// share it, and with it its limits.
/// </summary>
/// <example>
/// <code>
/// using var client = new RestClient(context, new RestClientOptions
/// {
///     BaseAddress = context.Configuration.GetUri("base_url"),
///     Authenticator = new BearerAuthenticator(await context.GetSecretAsync("api_token", cancellationToken)),
/// });
/// var request = new RestRequest("v1/orders") { RecordsPath = "data", Query = { ["updated_since"] = since } };
/// await foreach (var order in client.GetRecordsAsync(request, new PageNumberPaginator { PageSize = 100, PageSizeParameter = "per_page" }, cancellationToken))
/// {
///     await context.UpsertAsync("orders", order, cancellationToken);
/// }
/// </code>
/// </example>
public sealed partial class RestClient : IDisposable
{
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    private readonly HttpPipeline _pipeline;
    private readonly RestClientOptions _options;
    private readonly ILogger _logger;
    private readonly string? _secretParameter;

    /// <summary>Creates the client a connector uses: <paramref name="options"/> with the connection's <c>http_*</c> settings
    /// applied (see <see cref="RestClientOptions"/>), logging to the sync's logger.</summary>
    /// <param name="context">The sync: its <c>http_*</c> settings and its logger.</param>
    /// <param name="options">The address, authentication, limits and retries.</param>
    /// <param name="innerHandler">The transport, below retries and authentication, so it sees every attempt (a request
    /// signer such as AWS Signature V4 chained to a socket handler); when null, the context's
    /// <see cref="SyncContext.HttpTransport"/>, else a pooled socket handler.</param>
    /// <exception cref="ConfigurationException">An <c>http_*</c> setting is malformed or out of range.</exception>
    public RestClient(SyncContext context, RestClientOptions options, HttpMessageHandler? innerHandler = null)
        : this(
            (options ?? throw new ArgumentNullException(nameof(options))).WithOverrides((context ?? throw new ArgumentNullException(nameof(context))).Configuration),
            context.Logger,
            innerHandler ?? context.HttpTransport)
    {
    }

    /// <summary>Creates a client outside a sync (a benchmark, a test).</summary>
    /// <param name="options">The address, authentication, limits and retries.</param>
    /// <param name="logger">Where retries are logged; none when null.</param>
    /// <param name="innerHandler">The transport; a pooled socket handler when null.</param>
    public RestClient(RestClientOptions options, ILogger? logger = null, HttpMessageHandler? innerHandler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        // "https://host/v2" + "users" would resolve to "https://host/users": a base address is a directory.
        BaseAddress = options.BaseAddress.AbsolutePath.EndsWith('/') ? options.BaseAddress : new Uri(options.BaseAddress.AbsoluteUri + "/");
        _logger = logger ?? NullLogger.Instance;
        _secretParameter = options.Authenticator?.SecretQueryParameter;
        _pipeline = new HttpPipeline(options, Redact, _logger, innerHandler);
    }

    /// <summary>What relative request paths resolve against: the options' base address, ending with <c>/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Sends one request and parses its body as JSON; null for an empty body.</summary>
    /// <exception cref="RestException">The source answered with an error, or the body is not JSON.</exception>
    public async Task<JsonNode?> GetJsonAsync(RestRequest request, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(request, cancellationToken);
        var uri = Redact(response.RequestMessage!.RequestUri!);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        try
        {
            return await JsonSerializer.DeserializeAsync<JsonNode>(body, WebJson, cancellationToken);
        }
        catch (JsonException ex)
        {
            throw Malformed(request.Method, uri, $"the body is not valid JSON ({ex.Message})", ex);
        }
    }

    /// <summary>Sends one request and reads its body as <typeparamref name="T"/> (web defaults: camelCase, case-insensitive).</summary>
    /// <exception cref="RestException">The source answered with an error, or the body does not read as <typeparamref name="T"/>.</exception>
    public async Task<T> GetJsonAsync<T>(RestRequest request, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(request, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(body, WebJson, cancellationToken) ?? throw new JsonException("The body is null.");
        }
        catch (JsonException ex)
        {
            throw Malformed(request.Method, Redact(response.RequestMessage!.RequestUri!), $"the body does not read as {typeof(T).Name} ({ex.Message})", ex);
        }
    }

    /// <summary>
    /// The records of every page, streamed: each is parsed as it arrives, so a page is never held whole. Without a
    /// <paramref name="paginator"/>, the one page the request names.
    /// </summary>
    /// <exception cref="RestException">A page answered with an error or is malformed; the records before it were yielded.</exception>
    public IAsyncEnumerable<JsonObject> GetRecordsAsync(
        RestRequest request,
        Paginator? paginator = null,
        CancellationToken cancellationToken = default) =>
        ReadRecordsAsync(request, paginator, static (reader, _, body, token) => reader.ReadAsync(body, token), cancellationToken);

    /// <summary>
    /// The records of every page, each read as <typeparamref name="T"/> (web defaults: camelCase, case-insensitive) from its
    /// JSON, streamed as <see cref="GetRecordsAsync(RestRequest, Paginator?, CancellationToken)"/> streams them.
    /// </summary>
    /// <exception cref="RestException">A page answered with an error, is malformed, or holds a record that does not read as <typeparamref name="T"/>.</exception>
    public IAsyncEnumerable<T> GetRecordsAsync<T>(
        RestRequest request,
        Paginator? paginator = null,
        CancellationToken cancellationToken = default) =>
        ReadRecordsAsync(request, paginator, (reader, response, body, token) => reader.ReadAsync(body, (json, index) => Deserialize<T>(json, response, index), token), cancellationToken);

    /// <summary>
    /// Every page with its records (held for one page at a time), its envelope and its headers: for a connector that
    /// checkpoints a page's cursor after the page.
    /// </summary>
    /// <exception cref="RestException">A page answered with an error or is malformed; the pages before it were yielded.</exception>
    public async IAsyncEnumerable<RestPage> GetPagesAsync(
        RestRequest request,
        Paginator? paginator = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var current = Begin(request, paginator);
        while (true)
        {
            var page = await ReadPageAsync(current, cancellationToken);
            yield return page;
            if (paginator is null || !paginator.Next(page, current))
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// The records of every page, fetched by <paramref name="fetchers"/> requests at once and yielded in page order. A slow
    /// page holds up no other request: up to twice <paramref name="fetchers"/> pages are read ahead of the caller. Pages
    /// past the last may be requested and are dropped; when the first page gives a total, none are.
    /// </summary>
    /// <exception cref="RestException">A page answered with an error or is malformed; the pages before it were yielded.</exception>
    public async IAsyncEnumerable<JsonObject> GetRecordsConcurrentlyAsync(
        RestRequest request,
        IndexedPaginator paginator,
        int fetchers,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(paginator);
        ArgumentOutOfRangeException.ThrowIfLessThan(fetchers, 1);

        // The first page alone: it may say how many there are.
        var first = await ReadPageAsync(Seek(0), cancellationToken);
        foreach (var record in first.Records)
        {
            yield return record;
        }

        var pageCount = paginator.PageCount(first) ?? long.MaxValue;
        if (paginator.IsLast(first, 0))
        {
            yield break;
        }

        // Each fetcher takes the next page as soon as it is done with one, while fewer than `ahead` pages wait for the caller.
        var ahead = 2 * fetchers;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var readAhead = new SemaphoreSlim(ahead);
        var pages = new ConcurrentDictionary<long, TaskCompletionSource<RestPage>>();
        long claimed = 0;
        var running = Enumerable.Range(0, (int)Math.Min(fetchers, pageCount - 1)).Select(_ => FetchAsync()).ToList();
        try
        {
            for (long index = 1; index < pageCount; index++)
            {
                var page = await Slot(index).Task.WaitAsync(cancellationToken);
                pages.TryRemove(index, out _);
                foreach (var record in page.Records)
                {
                    yield return record;
                }

                if (paginator.IsLast(page, index))
                {
                    yield break;
                }

                readAhead.Release();
            }
        }
        finally
        {
            // Pages past the last, or after a failure: their outcome no longer matters, but is observed.
            await stop.CancelAsync();
            await Task.WhenAll(running);
            foreach (var unread in pages.Values)
            {
                _ = unread.Task.Exception;
            }
        }

        RestRequest Seek(long index)
        {
            var copy = request.Copy();
            paginator.Seek(copy, index);
            return copy;
        }

        TaskCompletionSource<RestPage> Slot(long index) =>
            pages.GetOrAdd(index, static _ => new TaskCompletionSource<RestPage>(TaskCreationOptions.RunContinuationsAsynchronously));

        async Task FetchAsync()
        {
            try
            {
                while (true)
                {
                    await readAhead.WaitAsync(stop.Token);
                    var index = Interlocked.Increment(ref claimed);
                    if (index >= pageCount)
                    {
                        return;
                    }

                    try
                    {
                        Slot(index).TrySetResult(await ReadPageAsync(Seek(index), stop.Token));
                    }
                    catch (Exception ex)
                    {
                        Slot(index).TrySetException(ex);   // the caller's to report, if it reads that far
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The caller stopped reading.
            }
        }
    }

    /// <summary>
    /// Sends a request with the client's authentication, limits and retries and returns the response once its headers
    /// arrive; read the body as a stream, and dispose the response.
    /// </summary>
    /// <exception cref="RestException">The source answered with an error retrying does not fix.</exception>
    /// <exception cref="ConfigurationException">The source refused the credentials (401 or 403).</exception>
    /// <exception cref="SourceUnavailableException">The source could not be reached, or still failed after the retries.</exception>
    public async Task<HttpResponseMessage> SendAsync(RestRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var message = CreateMessage(request);
        var uri = Redact(message.RequestUri!);   // as sent, below: an authenticator may add to the query
        HttpResponseMessage response;
        try
        {
            response = await _pipeline.Client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException ex) when (HttpPipeline.IsTlsFailure(ex))
        {
            throw new ConfigurationException(
                $"{request.Method} {uri} failed in the TLS handshake: {Innermost(ex)}. Check the connection's client certificate and the server certificate it trusts.", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new SourceUnavailableException($"{request.Method} {uri} failed after {_options.MaxRetries} retries: {Innermost(ex)}", ex);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new SourceUnavailableException($"{request.Method} {uri} did not answer within {_options.AttemptTimeout.TotalSeconds:0.#} s, {_options.MaxRetries} retries included.", ex);
        }

        response.RequestMessage ??= message;   // a socket handler sets it; an in-memory fake may not
        uri = Redact(message.RequestUri!);
        HttpLog.Answered(_logger, request.Method.Method, uri, (int)response.StatusCode);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await FailureAsync(request.Method, uri, message, response, cancellationToken);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _pipeline.Dispose();
        (_options.Authenticator as IDisposable)?.Dispose();
    }

    // The copy of the caller's request that the paginator moves from page to page.
    private static RestRequest Begin(RestRequest request, Paginator? paginator)
    {
        var current = request.Copy();
        paginator?.Start(current);
        return current;
    }

    private async Task<RestPage> ReadPageAsync(RestRequest request, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(request, cancellationToken);
        var reader = new JsonRecordReader(JsonPath.Split(request.RecordsPath), Malformation(response));
        var records = new List<JsonObject>();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var record in reader.ReadAsync(body, cancellationToken))
        {
            records.Add(record);
        }

        return Page(response, reader, records);
    }

    // Every page's records, streamed: `read` reads a page's body with the page's reader.
    private async IAsyncEnumerable<TRecord> ReadRecordsAsync<TRecord>(
        RestRequest request,
        Paginator? paginator,
        Func<JsonRecordReader, HttpResponseMessage, Stream, CancellationToken, IAsyncEnumerable<TRecord>> read,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var current = Begin(request, paginator);
        while (true)
        {
            using var response = await SendAsync(current, cancellationToken);
            var reader = new JsonRecordReader(JsonPath.Split(current.RecordsPath), Malformation(response));
            await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken))
            {
                await foreach (var record in read(reader, response, body, cancellationToken))
                {
                    yield return record;
                }
            }

            if (paginator is null || !paginator.Next(Page(response, reader, []), current))
            {
                yield break;
            }
        }
    }

    private RestPage Page(HttpResponseMessage response, JsonRecordReader reader, IReadOnlyList<JsonObject> records)
    {
        var uri = response.RequestMessage!.RequestUri!;
        return new RestPage(uri, Redact(uri), response.Headers, reader.Envelope, reader.Count, reader.LastRecord, records);
    }

    private HttpRequestMessage CreateMessage(RestRequest request)
    {
        var uri = new Uri(BaseAddress, request.Path);
        if (request.Query.Count > 0)
        {
            var query = new StringBuilder(uri.Query.TrimStart('?'));
            foreach (var (name, value) in request.Query)
            {
                query.Append(query.Length == 0 ? string.Empty : "&").Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            }

            uri = new UriBuilder(uri) { Query = query.ToString() }.Uri;
        }

        var message = new HttpRequestMessage(request.Method, uri);
        foreach (var (name, value) in _options.Headers.Concat(request.Headers))
        {
            message.Headers.Remove(name);
            message.Headers.TryAddWithoutValidation(name, value);
        }

        if (request.JsonBody is not null)
        {
            message.Content = JsonContent.Create(request.JsonBody);
        }
        else if (request.FormBody is not null)
        {
            message.Content = new FormUrlEncodedContent(request.FormBody);
        }

        return message;
    }

    private T Deserialize<T>(ReadOnlySpan<byte> record, HttpResponseMessage response, int index)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(record, WebJson) ?? throw new JsonException("The value is null.");
        }
        catch (JsonException ex)
        {
            var sent = response.RequestMessage!;
            throw Malformed(sent.Method, Redact(sent.RequestUri!), $"record {index + 1} does not read as {typeof(T).Name} ({ex.Message})", ex);
        }
    }
}
