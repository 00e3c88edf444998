using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Tributary.Connectors.AwsAthena;

/// <summary>An AWS access key: the key id and its secret (never logged), and a session token for temporary credentials.</summary>
/// <param name="AccessKeyId">The key id, <c>AKIA…</c>; it appears in every request's <c>Authorization</c> header.</param>
/// <param name="SecretAccessKey">The secret key; it only derives the signing key.</param>
/// <param name="SessionToken">The session token of temporary (STS) credentials; null for a long-term key.</param>
internal sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null)
{
    /// <summary>Keeps the secret key out of anything that prints the record.</summary>
    public override string ToString() => $"AwsCredentials {{ AccessKeyId = {AccessKeyId} }}";
}

/// <summary>
/// AWS Signature Version 4 (<c>AWS4-HMAC-SHA256</c>) as AWS documents it: the canonical request, the string to sign, the
/// signing key derived from the secret key, date, region and service, and the <c>Authorization</c> header. Pure functions,
/// tested against AWS's published test suite; <see cref="AwsSigV4Handler"/> applies them to each request.
/// </summary>
internal static class AwsSignatureV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary><c>X-Amz-Date</c>'s format: <c>20150830T123600Z</c>.</summary>
    public static string AmzDate(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The <c>Authorization</c> header of a request.</summary>
    /// <param name="credentials">Who signs.</param>
    /// <param name="region">The region, for example <c>us-east-1</c>.</param>
    /// <param name="service">The signing name, for example <c>athena</c>.</param>
    /// <param name="at">The request's time, also sent as <c>X-Amz-Date</c>.</param>
    /// <param name="method">GET, POST, …</param>
    /// <param name="uri">The request's URI.</param>
    /// <param name="headers">The headers to sign (<c>host</c> and <c>x-amz-date</c> among them), any case.</param>
    /// <param name="payload">The body; empty when there is none.</param>
    public static string Authorization(
        AwsCredentials credentials,
        string region,
        string service,
        DateTimeOffset at,
        string method,
        Uri uri,
        IEnumerable<KeyValuePair<string, string>> headers,
        ReadOnlySpan<byte> payload)
    {
        var canonical = CanonicalRequest(method, uri, headers, Hex(SHA256.HashData(payload)), out var signedHeaders);
        var date = at.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = $"{Algorithm}\n{AmzDate(at)}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var signature = Hex(HMACSHA256.HashData(SigningKey(credentials.SecretAccessKey, date, region, service), Encoding.UTF8.GetBytes(stringToSign)));
        return $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
    }

    /// <summary>The canonical request: method, canonical URI, canonical query, canonical headers, signed headers, payload hash.</summary>
    public static string CanonicalRequest(
        string method,
        Uri uri,
        IEnumerable<KeyValuePair<string, string>> headers,
        string payloadHash,
        out string signedHeaders)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var canonicalHeaders = headers
            .GroupBy(h => h.Key.ToLowerInvariant(), StringComparer.Ordinal)
            .Select(g => (Name: g.Key, Value: string.Join(',', g.Select(h => Trim(h.Value)))))
            .OrderBy(h => h.Name, StringComparer.Ordinal)
            .ToList();
        signedHeaders = string.Join(';', canonicalHeaders.Select(h => h.Name));
        return string.Join(
            '\n',
            method.ToUpperInvariant(),
            CanonicalPath(uri.AbsolutePath),
            CanonicalQuery(uri.Query),
            string.Concat(canonicalHeaders.Select(h => $"{h.Name}:{h.Value}\n")),
            signedHeaders,
            payloadHash);
    }

    /// <summary>kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").</summary>
    public static byte[] SigningKey(string secretAccessKey, string date, string region, string service)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    // Every service but S3: each path segment URI-encoded (the path as sent is encoded once more); "/" for an empty path.
    private static string CanonicalPath(string escapedPath) => escapedPath.Length == 0
        ? "/"
        : string.Join('/', escapedPath.Split('/').Select(segment => Encode(Uri.UnescapeDataString(segment), twice: true)));

    // Parameters sorted by encoded name, then value; both RFC 3986-encoded.
    private static string CanonicalQuery(string query) => string.Join(
        '&',
        query.TrimStart('?')
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(pair => (Name: Encode(Uri.UnescapeDataString(pair[0])), Value: Encode(Uri.UnescapeDataString(pair.Length > 1 ? pair[1] : string.Empty))))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}"));

    private static string Encode(string value, bool twice = false)
    {
        var once = Uri.EscapeDataString(value);   // RFC 3986: unreserved characters left, everything else %XX (upper case)
        return twice ? Uri.EscapeDataString(once) : once;
    }

    // Leading and trailing spaces removed, inner runs of spaces collapsed to one.
    private static string Trim(string value) => string.Join(' ', value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
