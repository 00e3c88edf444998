using System.Security.Cryptography;
using Amazon.Runtime.Internal.Auth;
using Tributary.Connectors.AwsAthena;
using Xunit;

namespace Tributary.Connectors.Tests.AwsAthena;

/// <summary>The signer against AWS's published Signature V4 test suite (key AKIDEXAMPLE, 2015-08-30T12:36:00Z, us-east-1,
/// service <c>service</c>) and the IAM example of AWS's documentation, and against AWSSDK.Core's signer for a JSON POST.</summary>
public sealed class AwsSignatureV4Tests
{
    private static readonly AwsCredentials Example = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    private static readonly DateTimeOffset At = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("get-vanilla", "GET", "https://example.amazonaws.com/", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")]
    [InlineData("get-vanilla-query-order-key-case", "GET", "https://example.amazonaws.com/?Param2=value2&Param1=value1", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")]
    [InlineData("post-vanilla", "POST", "https://example.amazonaws.com/", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")]
    public void Authorization_AwsTestSuiteRequest_GivesThePublishedSignature(string vector, string method, string url, string signature)
    {
        var headers = new Dictionary<string, string> { ["Host"] = "example.amazonaws.com", ["X-Amz-Date"] = "20150830T123600Z" };

        var authorization = AwsSignatureV4.Authorization(Example, "us-east-1", "service", At, method, new Uri(url), headers, []);

        Assert.True(
            authorization == $"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature={signature}",
            $"{vector}: {authorization}");
    }

    [Fact]
    public void Authorization_IamListUsersExampleOfTheDocumentation_GivesThePublishedSignature()
    {
        var headers = new Dictionary<string, string>
        {
            ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8",
            ["Host"] = "iam.amazonaws.com",
            ["X-Amz-Date"] = "20150830T123600Z",
        };

        var authorization = AwsSignatureV4.Authorization(
            Example, "us-east-1", "iam", At, "GET", new Uri("https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08"), headers, []);

        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
            authorization);
    }

    [Fact]
    public void Authorization_AthenaJsonPost_MatchesAwsSdkCoresSigner()
    {
        var body = """{"QueryExecutionId":"a1b2c3"}"""u8.ToArray();
        var headers = new Dictionary<string, string>
        {
            ["host"] = "athena.eu-west-1.amazonaws.com",
            ["content-type"] = "application/x-amz-json-1.1",
            ["x-amz-date"] = "20150830T123600Z",
            ["x-amz-target"] = "AmazonAthena.GetQueryExecution",
        };
        var uri = new Uri("https://athena.eu-west-1.amazonaws.com/");
        var canonical = AwsSignatureV4.CanonicalRequest("POST", uri, headers, Convert.ToHexStringLower(SHA256.HashData(body)), out var signedHeaders);

        var ours = AwsSignatureV4.Authorization(Example, "eu-west-1", "athena", At, "POST", uri, headers, body);
        var sdk = AWS4Signer.ComputeSignature(Example.AccessKeyId, Example.SecretAccessKey, "eu-west-1", At.UtcDateTime, "athena", signedHeaders, canonical);

        Assert.Equal("content-type;host;x-amz-date;x-amz-target", signedHeaders);
        Assert.Equal(sdk.ForAuthorizationHeader, ours);
    }

    [Fact]
    public void CanonicalRequest_HeaderValues_AreTrimmedAndTheirInnerSpacesCollapsed()
    {
        var headers = new Dictionary<string, string> { ["My-Header1"] = "  value1  two   spaces ", ["Host"] = "example.amazonaws.com" };

        var canonical = AwsSignatureV4.CanonicalRequest("GET", new Uri("https://example.amazonaws.com/a b"), headers, "e3b0", out var signed);

        Assert.Equal("GET\n/a%2520b\n\nhost:example.amazonaws.com\nmy-header1:value1 two spaces\n\nhost;my-header1\ne3b0", canonical);
        Assert.Equal("host;my-header1", signed);
        Assert.DoesNotContain(Example.SecretAccessKey, Example.ToString(), StringComparison.Ordinal);
    }
}
