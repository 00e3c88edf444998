using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Tributary.Connectors.Configuration;
using Xunit;

namespace Tributary.Connectors.Tests.Configuration;

public sealed class FernetTests
{
    private const string ExampleToken =
        "gAAAAABl-3QGKUHpdUhBNpnW1_SnSkQGrAwev-uBBJaZo4NmtylIMg8UX6usuG4Z-h80OvfJajW6HU56O5hofapEIh4W33vuMpJgq0q3qMQx6R3Ol4qZ3Wc2DyIIapxbK5BrQHshBF95";

    [Fact]
    public void Decrypt_ExampleTokenAndKey_ReturnsMessage()
    {
        var plaintext = new Fernet(ConfigurationConnectorTests.DocumentedKey).Decrypt(ExampleToken);

        Assert.Equal("If you can read this, you have the correct key", Encoding.UTF8.GetString(plaintext));
    }

    [Fact]
    public void Decrypt_SpecificationVector_ReturnsHello()
    {
        // The "generate" vector of the Fernet specification (github.com/fernet/spec).
        var fernet = new Fernet("cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=");

        var plaintext = fernet.Decrypt("gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==");

        Assert.Equal("hello", Encoding.UTF8.GetString(plaintext));
    }

    [Fact]
    public void Decrypt_TokenMadeWithBcl_RoundTrips()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var token = Encrypt(key, "a message that spans more than one AES block"u8.ToArray());

        var plaintext = new Fernet(UrlSafe(key)).Decrypt(token);

        Assert.Equal("a message that spans more than one AES block", Encoding.UTF8.GetString(plaintext));
    }

    [Fact]
    public void Decrypt_WrongKey_ThrowsCryptographicException()
    {
        var fernet = new Fernet(UrlSafe(new byte[32]));

        Assert.Throws<CryptographicException>(() => fernet.Decrypt(ExampleToken));
    }

    [Theory]
    [InlineData(0)]   // version
    [InlineData(5)]   // timestamp
    [InlineData(20)]  // IV
    [InlineData(40)]  // ciphertext
    [InlineData(-1)]  // HMAC
    public void Decrypt_AlteredByte_ThrowsCryptographicException(int index)
    {
        var bytes = FromUrlSafe(ExampleToken);
        bytes[index < 0 ? bytes.Length + index : index] ^= 0x01;
        var fernet = new Fernet(ConfigurationConnectorTests.DocumentedKey);

        Assert.Throws<CryptographicException>(() => fernet.Decrypt(UrlSafe(bytes)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64 at all!")]
    [InlineData("c2hvcnQ=")]
    public void Decrypt_MalformedToken_ThrowsCryptographicException(string token)
    {
        var fernet = new Fernet(ConfigurationConnectorTests.DocumentedKey);

        Assert.Throws<CryptographicException>(() => fernet.Decrypt(token));
    }

    [Theory]
    [InlineData("")]
    [InlineData("c2hvcnQ=")]
    [InlineData("not a key")]
    public void Constructor_KeyNot32Base64Bytes_ThrowsFormatException(string key) =>
        Assert.Throws<FormatException>(() => new Fernet(key));

    private static string Encrypt(byte[] key, byte[] plaintext)
    {
        using var aes = Aes.Create();
        aes.Key = key[16..];
        var iv = RandomNumberGenerator.GetBytes(16);
        var ciphertext = aes.EncryptCbc(plaintext, iv, PaddingMode.PKCS7);

        var signed = new byte[1 + 8 + 16 + ciphertext.Length];
        signed[0] = 0x80;
        BinaryPrimitives.WriteUInt64BigEndian(signed.AsSpan(1), 1_700_000_000);
        iv.CopyTo(signed, 9);
        ciphertext.CopyTo(signed, 25);
        return UrlSafe([.. signed, .. HMACSHA256.HashData(key[..16], signed)]);
    }

    private static string UrlSafe(byte[] bytes) => Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_');

    private static byte[] FromUrlSafe(string text) => Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/'));
}
