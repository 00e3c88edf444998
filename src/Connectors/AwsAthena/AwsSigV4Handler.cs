using System.Net.Http.Headers;

namespace Tributary.Connectors.AwsAthena;

/// <summary>
/// Signs every request it sends with AWS Signature Version 4: <c>X-Amz-Date</c> from the sync's clock, the session token
/// when there is one, and the <c>Authorization</c> header over the host, the <c>Content-Type</c>, every <c>X-Amz-*</c>
/// header and the body. It sits under the HTTP toolkit's retries, so each attempt is signed afresh.
/// </summary>
/// <remarks>
/// AWSSDK.Core's signer (<c>Amazon.Runtime.Internal.Auth.AWS4Signer</c>) signs the SDK's own <c>IRequest</c>, in an
/// <c>Internal</c> namespace; for a plain <see cref="HttpRequestMessage"/> this small signer over
/// <see cref="AwsSignatureV4"/> is clearer. The toolkit's authenticators cannot be extended outside it, hence a handler.
/// </remarks>
/// <param name="credentials">The access key.</param>
/// <param name="region">The signing region.</param>
/// <param name="service">The signing name (<c>athena</c>).</param>
/// <param name="contentType">The media type every body is sent as: AWS's JSON protocols want <c>application/x-amz-json-1.1</c>.</param>
/// <param name="time">The clock that dates each signature.</param>
internal sealed class AwsSigV4Handler(AwsCredentials credentials, string region, string service, string contentType, TimeProvider time) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var payload = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        if (request.Content is not null)
        {
            // The signed bytes are the bytes sent: a buffered body with the protocol's content type.
            request.Content = new ByteArrayContent(payload) { Headers = { ContentType = MediaTypeHeaderValue.Parse(contentType) } };
        }

        var at = time.GetUtcNow();
        request.Headers.Remove("Authorization");
        request.Headers.Remove("X-Amz-Date");
        request.Headers.Remove("X-Amz-Security-Token");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", AwsSignatureV4.AmzDate(at));
        if (credentials.SessionToken is { } token)
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", token);
        }

        var uri = request.RequestUri ?? throw new InvalidOperationException("A request to sign has no URI.");
        var signed = new List<KeyValuePair<string, string>> { new("host", uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}") };
        signed.AddRange(request.Headers
            .Where(h => h.Key.StartsWith("X-Amz-", StringComparison.OrdinalIgnoreCase))
            .Select(h => new KeyValuePair<string, string>(h.Key, string.Join(',', h.Value))));
        if (request.Content is not null)
        {
            signed.Add(new("content-type", contentType));
        }

        request.Headers.TryAddWithoutValidation(
            "Authorization",
            AwsSignatureV4.Authorization(credentials, region, service, at, request.Method.Method, uri, signed, payload));
        return await base.SendAsync(request, cancellationToken);
    }
}
