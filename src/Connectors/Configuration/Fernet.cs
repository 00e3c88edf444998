using System.Security.Cryptography;

namespace Tributary.Connectors.Configuration;

/// <summary>
/// Decrypts Fernet tokens (the format of Python's <c>cryptography.fernet</c>) with the BCL: verify the
/// HMAC-SHA256 first, in constant time, then decrypt AES-128-CBC with PKCS#7 padding.
/// </summary>
/// <remarks>
/// Key: 32 bytes, URL-safe base64 — the first 16 sign, the last 16 encrypt.
/// Token: URL-safe base64 of version (0x80) ‖ 64-bit big-endian timestamp ‖ 16-byte IV ‖ ciphertext ‖ 32-byte HMAC
/// over everything before it. As in Python's <c>Fernet.decrypt(token)</c> without a TTL, the timestamp is not checked.
/// </remarks>
internal sealed class Fernet
{
    private const byte Version = 0x80;
    private const int KeyLength = 32;
    private const int HalfKeyLength = 16;
    private const int TimestampLength = 8;
    private const int IvLength = 16;
    private const int HmacLength = 32;
    private const int HeaderLength = 1 + TimestampLength + IvLength;

    private readonly byte[] _signingKey;
    private readonly byte[] _encryptionKey;

    /// <summary>Creates a Fernet from its URL-safe base64 key.</summary>
    /// <exception cref="FormatException">The key is not URL-safe base64 of 32 bytes.</exception>
    public Fernet(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var bytes = DecodeUrlSafeBase64(key);
        if (bytes is null || bytes.Length != KeyLength)
        {
            throw new FormatException("A Fernet key must be 32 url-safe base64-encoded bytes.");
        }

        _signingKey = bytes[..HalfKeyLength];
        _encryptionKey = bytes[HalfKeyLength..];
    }

    /// <summary>Verifies and decrypts a token.</summary>
    /// <exception cref="CryptographicException">The token is malformed, was not made with this key, or was altered.</exception>
    public byte[] Decrypt(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var bytes = DecodeUrlSafeBase64(token) ?? throw InvalidToken();

        // The ciphertext is a non-empty whole number of AES blocks (PKCS#7 always pads).
        var ciphertextLength = bytes.Length - HeaderLength - HmacLength;
        if (bytes.Length == 0 || bytes[0] != Version || ciphertextLength <= 0 || ciphertextLength % 16 != 0)
        {
            throw InvalidToken();
        }

        var signed = bytes.AsSpan(0, bytes.Length - HmacLength);
        Span<byte> expected = stackalloc byte[HmacLength];
        HMACSHA256.HashData(_signingKey, signed, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, bytes.AsSpan(bytes.Length - HmacLength)))
        {
            throw InvalidToken();
        }

        using var aes = Aes.Create();
        aes.Key = _encryptionKey;
        try
        {
            return aes.DecryptCbc(bytes.AsSpan(1 + TimestampLength + IvLength, ciphertextLength), bytes.AsSpan(1 + TimestampLength, IvLength), PaddingMode.PKCS7);
        }
        catch (CryptographicException ex)
        {
            throw new CryptographicException("The Fernet token's padding is invalid.", ex);
        }
    }

    private static CryptographicException InvalidToken() =>
        new("The Fernet token is invalid: it is malformed, or was not made with this key, or was altered.");

    /// <summary>Decodes URL-safe base64 ('-' and '_', padding optional); <see langword="null"/> when it is not base64.</summary>
    private static byte[]? DecodeUrlSafeBase64(string text)
    {
        var standard = text.Trim().Replace('-', '+').Replace('_', '/');
        standard = (standard.Length % 4) switch
        {
            2 => standard + "==",
            3 => standard + "=",
            _ => standard,
        };

        var buffer = new byte[standard.Length * 3 / 4];
        return Convert.TryFromBase64String(standard, buffer, out var written) ? buffer[..written] : null;
    }
}
