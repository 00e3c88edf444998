using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Tributary.FunctionsHost.Api;

/// <summary>
/// The two ways a webhook delivery proves who sent it. <b>Standard Webhooks</b> (https://www.standardwebhooks.com), the
/// default: headers <c>webhook-id</c>, <c>webhook-timestamp</c> (Unix seconds) and <c>webhook-signature</c>, a space-separated
/// list of <c>v1,&lt;base64 HMAC-SHA256 of "{id}.{timestamp}.{body}"&gt;</c>. <b>Body only</b>, opt-in per connector for
/// senders that cannot do better: <c>X-Tributary-Signature: sha256=&lt;hex HMAC-SHA256 of the body&gt;</c>, which proves the
/// body but not when it was sent, so a captured delivery can be replayed. Both key the HMAC with the secret's bytes: a secret
/// written <c>whsec_&lt;base64&gt;</c> (the Standard Webhooks form) is the base64-decoded bytes, any other secret its UTF-8 bytes.
/// Every comparison takes the same time wherever the first difference is.
/// </summary>
internal static class WebhookSignatures
{
    /// <summary>The Standard Webhooks id header: the delivery's id, the same on every retry of it.</summary>
    public const string IdHeader = "webhook-id";

    /// <summary>The Standard Webhooks timestamp header: when this attempt was sent, in Unix seconds.</summary>
    public const string TimestampHeader = "webhook-timestamp";

    /// <summary>The Standard Webhooks signature header.</summary>
    public const string SignatureHeader = "webhook-signature";

    /// <summary>The body-only signature header.</summary>
    public const string BodyOnlyHeader = "X-Tributary-Signature";

    /// <summary>The longest <c>webhook-id</c> accepted.</summary>
    public const int MaxIdLength = 256;

    private const string SecretPrefix = "whsec_";
    private const string VersionPrefix = "v1,";
    private const string BodyOnlyPrefix = "sha256=";

    /// <summary>The HMAC key of <paramref name="secret"/>, or <see langword="null"/> when it starts <c>whsec_</c> but the rest is not base64.</summary>
    public static byte[]? Key(string secret)
    {
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            return Encoding.UTF8.GetBytes(secret);
        }

        try
        {
            var key = Convert.FromBase64String(secret[SecretPrefix.Length..]);
            return key.Length == 0 ? null : key;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Why <paramref name="id"/> is not a usable <c>webhook-id</c>, or <see langword="null"/> when it is: 1 to 256 printable
    /// ASCII characters, none of them a full stop or a space (the id is a field of the signed content).</summary>
    public static string? CheckId(string id)
    {
        if (id.Length is 0 or > MaxIdLength)
        {
            return $"The {IdHeader} header must be 1 to {MaxIdLength} characters long.";
        }

        foreach (var c in id)
        {
            if (c is <= ' ' or > '~' or '.')
            {
                return $"The {IdHeader} header may hold only printable ASCII characters other than '.' and space.";
            }
        }

        return null;
    }

    /// <summary>The <c>webhook-timestamp</c> as a time, or <see langword="null"/> when it is not a whole number of Unix seconds.</summary>
    public static DateTimeOffset? ParseTimestamp(string timestamp) =>
        timestamp.Length is > 0 and <= 12
        && long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
        && seconds <= DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    /// <summary>Whether one of the <c>v1</c> signatures in <paramref name="signatures"/> is the HMAC of
    /// <c>{id}.{timestamp}.{body}</c> under <paramref name="key"/>; other versions (such as <c>v1a</c>) are skipped.</summary>
    public static bool VerifyStandard(string id, string timestamp, ReadOnlySpan<byte> body, string signatures, byte[] key)
    {
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        ComputeStandard(id, timestamp, body, key, expected);
        Span<byte> given = stackalloc byte[HMACSHA256.HashSizeInBytes];
        var matched = false;
        foreach (var range in signatures.AsSpan().Split(' '))
        {
            var candidate = signatures.AsSpan()[range];
            if (!candidate.StartsWith(VersionPrefix, StringComparison.Ordinal)
                || !Convert.TryFromBase64Chars(candidate[VersionPrefix.Length..], given, out var written)
                || written != given.Length)
            {
                continue;
            }

            // Every candidate is compared, so the time taken does not tell which one matched.
            matched |= CryptographicOperations.FixedTimeEquals(expected, given);
        }

        return matched;
    }

    /// <summary>Whether one of the <c>v1</c> entries is shaped like a signature (before any secret is read).</summary>
    public static bool HasStandardSignature(string signatures)
    {
        foreach (var range in signatures.AsSpan().Split(' '))
        {
            if (signatures.AsSpan()[range].StartsWith(VersionPrefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The <c>webhook-signature</c> a sender computes: <c>v1,</c> and the base64 HMAC.</summary>
    public static string SignStandard(string id, long timestamp, ReadOnlySpan<byte> body, string secret)
    {
        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        ComputeStandard(id, timestamp.ToString(CultureInfo.InvariantCulture), body, Key(secret) ?? throw new ArgumentException("The secret is not valid.", nameof(secret)), hash);
        return VersionPrefix + Convert.ToBase64String(hash);
    }

    /// <summary>Whether <paramref name="signature"/> is <c>sha256=</c> and the hex HMAC-SHA256 of <paramref name="body"/> under
    /// <paramref name="key"/> (either case).</summary>
    public static bool VerifyBodyOnly(ReadOnlySpan<byte> body, string signature, byte[] key)
    {
        if (!signature.StartsWith(BodyOnlyPrefix, StringComparison.OrdinalIgnoreCase) || signature.Length != BodyOnlyPrefix.Length + (2 * HMACSHA256.HashSizeInBytes))
        {
            return false;
        }

        Span<byte> given = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (Convert.FromHexString(signature.AsSpan(BodyOnlyPrefix.Length), given, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != given.Length)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>The body-only header value a sender computes: <c>sha256=</c> and the lower-case hex HMAC.</summary>
    public static string SignBodyOnly(ReadOnlySpan<byte> body, string secret) =>
        BodyOnlyPrefix + Convert.ToHexStringLower(HMACSHA256.HashData(Key(secret) ?? throw new ArgumentException("The secret is not valid.", nameof(secret)), body));

    private static void ComputeStandard(string id, string timestamp, ReadOnlySpan<byte> body, byte[] key, Span<byte> hash)
    {
        var prefix = Encoding.UTF8.GetBytes(id + "." + timestamp + ".");
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(prefix);
        hmac.AppendData(body);
        hmac.GetHashAndReset(hash);
    }
}
