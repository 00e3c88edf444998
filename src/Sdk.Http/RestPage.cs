using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Tributary.Sdk.Http;

/// <summary>One page of a paginated response: what the paginator decides the next request from, and the records.</summary>
public sealed class RestPage
{
    internal RestPage(Uri requestUri, Uri uri, HttpResponseHeaders headers, JsonObject envelope, int count, JsonObject? lastRecord, IReadOnlyList<JsonObject> records)
    {
        RequestUri = requestUri;
        Uri = uri;
        Headers = headers;
        Envelope = envelope;
        Count = count;
        LastRecord = lastRecord;
        Records = records;
    }

    /// <summary>What was requested, secrets in the query masked.</summary>
    public Uri Uri { get; }

    /// <summary>The response's headers (a <c>Link</c> header, rate-limit counters).</summary>
    public HttpResponseHeaders Headers { get; }

    /// <summary>The body without its records array: totals, cursors, next-page links. Empty for an array body.</summary>
    public JsonObject Envelope { get; }

    /// <summary>How many records the page held.</summary>
    public int Count { get; }

    /// <summary>The page's last record, or <see langword="null"/> for an empty page.</summary>
    public JsonObject? LastRecord { get; }

    /// <summary>The page's records when read with <see cref="RestClient.GetPagesAsync"/>; empty when they were streamed.</summary>
    public IReadOnlyList<JsonObject> Records { get; }

    // What was sent, secrets included: relative next-page links resolve against it. Never reported.
    internal Uri RequestUri { get; }
}
