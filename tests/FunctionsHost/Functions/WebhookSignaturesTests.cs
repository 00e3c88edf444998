using System.Text;
using Tributary.FunctionsHost.Api;

namespace Tributary.FunctionsHost.Tests.Functions;

public sealed class WebhookSignaturesTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"type":"contact.created","timestamp":"2022-11-03T20:26:10.344522Z","data":{"id":"1f81eb52-5198-4599-803e-771906343485"}}""");

    [Fact]
    public void SignStandard_KnownVector_MatchesHmacOfIdTimestampAndBody()
    {
        // The HMAC computed independently of WebhookSignatures: key = base64 of the part after whsec_, content = id.timestamp.body.
        var key = Convert.FromBase64String("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        var expected = "v1," + Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(
            key, Encoding.UTF8.GetBytes("msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.").Concat(Body).ToArray()));

        Assert.Equal(expected, WebhookSignatures.SignStandard("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, Body, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
    }

    [Fact]
    public void VerifyStandard_SignatureAmongOthers_IsFoundAndAShortenedOneIsNot()
    {
        var key = WebhookSignatures.Key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")!;
        var signature = WebhookSignatures.SignStandard("msg_1", 1614265330, Body, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

        Assert.True(WebhookSignatures.VerifyStandard("msg_1", "1614265330", Body, "v1a,abc " + signature, key));
        Assert.False(WebhookSignatures.VerifyStandard("msg_1", "1614265330", Body, signature[..^4], key));
        Assert.False(WebhookSignatures.VerifyStandard("msg_1", "1614265331", Body, signature, key));
    }

    [Theory]
    [InlineData("whsec_!!!")]
    [InlineData("whsec_")]
    public void Key_WhsecPrefixWithoutBase64_IsNull(string secret) => Assert.Null(WebhookSignatures.Key(secret));

    [Fact]
    public void Key_SecretWithoutPrefix_IsItsUtf8Bytes() => Assert.Equal(Encoding.UTF8.GetBytes("plain-secret"), WebhookSignatures.Key("plain-secret"));

    [Theory]
    [InlineData("sha256=", false)]
    [InlineData("SHA256=", true)]
    public void VerifyBodyOnly_SchemeAndHexCase_AreIgnored(string scheme, bool upper)
    {
        var key = Encoding.UTF8.GetBytes("secret");
        var signature = WebhookSignatures.SignBodyOnly(Body, "secret")["sha256=".Length..];

        Assert.True(WebhookSignatures.VerifyBodyOnly(Body, scheme + (upper ? signature.ToUpperInvariant() : signature), key));
        Assert.False(WebhookSignatures.VerifyBodyOnly(Body, scheme + signature[..^2], key));
        Assert.False(WebhookSignatures.VerifyBodyOnly(Body, scheme + signature + "00", key));
    }
}
