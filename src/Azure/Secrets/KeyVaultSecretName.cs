using System.Text;
using Tributary.Runtime.Schema;

namespace Tributary.Azure.Secrets;

/// <summary>
/// How a connection's secret is named in Key Vault, whose secret names allow only ASCII letters, digits and dashes
/// (1–127 characters) and compare case-insensitively.
/// </summary>
/// <remarks>
/// <para>The Key Vault name is <c>&lt;connection id&gt;--&lt;secret&gt;</c>, lower case, with every <c>_</c> written as <c>-</c>:
/// secret <c>api_key</c> of connection <c>github_acme</c> is <c>github-acme--api-key</c>, and the webhook secret
/// <c>webhook_secret</c> of connection <c>hello</c> (a connection named after its connector, so the name it had before
/// connections) is <c>hello--webhook-secret</c>. Two connections of one connector have separate secrets.</para>
/// <para>A secret name is ASCII letters and digits in words joined by single <c>_</c> or <c>-</c> (<c>api_key</c>,
/// <c>refresh-token</c>, <c>clientSecret</c>); since Key Vault ignores case and the mapping writes <c>_</c> as <c>-</c>,
/// <c>api_key</c>, <c>API-KEY</c> and <c>api-key</c> are one secret. A secret name never holds <c>--</c>, so the last
/// <c>--</c> of a Key Vault name always separates connection from secret and no two connections' secrets share a name.</para>
/// </remarks>
public static class KeyVaultSecretName
{
    /// <summary>Separates the connection id from the secret name: <c>--</c>.</summary>
    public const string Separator = "--";

    /// <summary>Key Vault's longest secret name.</summary>
    public const int MaxLength = 127;

    /// <summary>The Key Vault secret name of secret <paramref name="name"/> of connection <paramref name="connection"/>.</summary>
    /// <exception cref="ArgumentException">The connection id is not lower snake case, the secret name has a character other than
    /// ASCII letters, digits and single <c>_</c> / <c>-</c> between words, or the result is longer than 127 characters.</exception>
    public static string For(string connection, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(connection);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!Names.IsSnakeCase(connection))
        {
            throw new ArgumentException($"'{connection}' is not a connection id (lower snake case).", nameof(connection));
        }

        if (!IsSecretName(name))
        {
            throw new ArgumentException(
                $"Secret name '{name}' of connection '{connection}' cannot be a Key Vault secret: use ASCII letters and digits in words joined by single '_' or '-'.",
                nameof(name));
        }

        var builder = new StringBuilder(connection.Length + Separator.Length + name.Length);
        Append(builder, connection);
        builder.Append(Separator);
        Append(builder, name);
        if (builder.Length > MaxLength)
        {
            throw new ArgumentException(
                $"The Key Vault name of secret '{name}' of connection '{connection}' would be {builder.Length} characters; Key Vault allows {MaxLength}.",
                nameof(name));
        }

        return builder.ToString();
    }

    private static void Append(StringBuilder builder, string value)
    {
        foreach (var c in value)
        {
            builder.Append(c == '_' ? '-' : char.ToLowerInvariant(c));
        }
    }

    private static bool IsSecretName(string name)
    {
        var previousWasSeparator = true;   // no separator first
        foreach (var c in name)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                previousWasSeparator = false;
            }
            else if (c is '_' or '-' && !previousWasSeparator)
            {
                previousWasSeparator = true;
            }
            else
            {
                return false;
            }
        }

        return !previousWasSeparator;   // no separator last
    }
}
