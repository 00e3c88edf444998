using System.Net;

namespace Tributary.Sdk.Http;

/// <summary>
/// A request the source answered with an error that retrying does not fix (a 404, a 400), or a response that is not what
/// the connector asked for (a body that is not JSON, no records where the request said they are). The message names the
/// request, its URI with secrets masked, and what is wrong.
/// </summary>
public sealed class RestException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RestException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RestException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public RestException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a request.</summary>
    /// <param name="message">What happened, naming the request.</param>
    /// <param name="uri">The request's URI, secrets masked.</param>
    /// <param name="statusCode">The response's status; null when the response itself is at fault.</param>
    /// <param name="innerException">The cause, if any.</param>
    public RestException(string message, Uri uri, HttpStatusCode? statusCode, Exception? innerException = null)
        : base(message, innerException)
    {
        Uri = uri;
        StatusCode = statusCode;
    }

    /// <summary>The request's URI, secrets masked.</summary>
    public Uri? Uri { get; }

    /// <summary>The status the source answered with; null when the body was at fault.</summary>
    public HttpStatusCode? StatusCode { get; }
}
