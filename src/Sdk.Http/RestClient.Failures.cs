using System.Net;
using System.Web;

namespace Tributary.Sdk.Http;

/// <summary>How the client reports a failure: the request named with its secrets masked, what the source said, and the
/// exception type that tells the runtime whether a retry can help.</summary>
public sealed partial class RestClient
{
    private async Task<Exception> FailureAsync(HttpMethod method, Uri uri, HttpRequestMessage message, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var authenticated = _options.Authenticator is not null || _options.ClientCertificate is not null;
        var status = response.StatusCode;
        var body = await ExcerptAsync(response, cancellationToken);
        var answered = $"{method} {uri} answered {(int)status} {status}";
        return status switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden when authenticated => new ConfigurationException(
                $"{answered}: the source refused the connection's credentials"
                + (message.Options.TryGetValue(HttpPipeline.Renewed, out var renewed) && renewed ? " even after renewing them" : string.Empty)
                + $". Check the connection's secrets. {body}".TrimEnd()),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new ConfigurationException(
                $"{answered}: the source refused the request. Check the connection's configuration. {body}".TrimEnd()),
            HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout or >= HttpStatusCode.InternalServerError =>
                new SourceUnavailableException($"{answered} after every retry. {body}".TrimEnd()),
            _ => new RestException($"{answered}. {body}".TrimEnd(), uri, status),
        };
    }

    // What went wrong at the bottom: "An error occurred while sending the request" says nothing, its cause does.
    private static string Innermost(Exception exception)
    {
        var innermost = exception;
        while (innermost.InnerException is { } inner)
        {
            innermost = inner;
        }

        return innermost == exception ? exception.Message : $"{exception.Message} ({innermost.Message})";
    }

    // The start of an error body: what the source says is wrong.
    private static async Task<string> ExcerptAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        const int Limit = 300;
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        text = text.ReplaceLineEndings(" ").Trim();
        return text.Length == 0 ? string.Empty : $"The source said: {(text.Length > Limit ? text[..Limit] + "…" : text)}";
    }

    private Func<string, Exception> Malformation(HttpResponseMessage response)
    {
        var method = response.RequestMessage!.Method;
        var uri = Redact(response.RequestMessage.RequestUri!);
        return problem => Malformed(method, uri, problem, null);
    }

    private static RestException Malformed(HttpMethod method, Uri uri, string problem, Exception? inner) =>
        new($"{method} {uri} answered with a malformed body: {problem}.", uri, null, inner);

    // The URI as the toolkit reports it: an API key in the query masked.
    private Uri Redact(Uri uri)
    {
        if (_secretParameter is null || string.IsNullOrEmpty(uri.Query))
        {
            return uri;
        }

        var query = HttpUtility.ParseQueryString(uri.Query);
        if (query[_secretParameter] is null)
        {
            return uri;
        }

        query[_secretParameter] = "***";
        return new UriBuilder(uri) { Query = HttpUtility.UrlDecode(query.ToString()) }.Uri;
    }
}
