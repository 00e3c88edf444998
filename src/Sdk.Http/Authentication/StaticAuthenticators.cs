using System.Text;
using System.Web;

namespace Tributary.Sdk.Http;

/// <summary>An API key in a header (<c>X-Api-Key: key</c>, <c>Authorization: Token key</c>) or in the query (<c>?apikey=key</c>).</summary>
public sealed class ApiKeyAuthenticator : Authenticator
{
    private readonly string _name;
    private readonly string _key;
    private readonly string? _scheme;
    private readonly bool _inQuery;

    private ApiKeyAuthenticator(string name, string key, string? scheme, bool inQuery)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(key);
        (_name, _key, _scheme, _inQuery) = (name, key, scheme, inQuery);
    }

    internal override string? SecretQueryParameter => _inQuery ? _name : null;

    /// <summary>The key in header <paramref name="headerName"/>, after <paramref name="scheme"/> and a space when one is given.</summary>
    public static ApiKeyAuthenticator InHeader(string headerName, string key, string? scheme = null) => new(headerName, key, scheme, inQuery: false);

    /// <summary>The key in query parameter <paramref name="parameterName"/>; masked in every URI the toolkit reports.</summary>
    public static ApiKeyAuthenticator InQuery(string parameterName, string key) => new(parameterName, key, scheme: null, inQuery: true);

    internal override ValueTask ApplyAsync(HttpRequestMessage request, AuthenticationChannel channel, CancellationToken cancellationToken)
    {
        if (!_inQuery)
        {
            request.Headers.Remove(_name);
            request.Headers.TryAddWithoutValidation(_name, _scheme is null ? _key : $"{_scheme} {_key}");
            return ValueTask.CompletedTask;
        }

        var uri = request.RequestUri!;
        var query = HttpUtility.ParseQueryString(uri.Query);
        if (query[_name] != _key)
        {
            query[_name] = _key;
            request.RequestUri = new UriBuilder(uri) { Query = query.ToString() }.Uri;
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>HTTP Basic authentication (RFC 7617): <c>Authorization: Basic base64(user:password)</c>.</summary>
/// <param name="userName">The user name.</param>
/// <param name="password">The password.</param>
public sealed class BasicAuthenticator(string userName, string password) : Authenticator
{
    private readonly string _value = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{userName}:{password}"));

    internal override ValueTask ApplyAsync(HttpRequestMessage request, AuthenticationChannel channel, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new("Basic", _value);
        return ValueTask.CompletedTask;
    }
}

/// <summary>A bearer token (RFC 6750): <c>Authorization: Bearer token</c>, for a token that does not expire during a sync.</summary>
/// <param name="token">The token.</param>
public sealed class BearerAuthenticator(string token) : Authenticator
{
    internal override ValueTask ApplyAsync(HttpRequestMessage request, AuthenticationChannel channel, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new("Bearer", token);
        return ValueTask.CompletedTask;
    }
}
