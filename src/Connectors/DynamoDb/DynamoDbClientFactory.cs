using Amazon;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Tributary.Sdk;

namespace Tributary.Connectors.DynamoDb;

/// <summary>
/// The DynamoDB client, authenticated as the original does it: an access key pair, optionally exchanged through STS
/// <c>AssumeRole</c> for the role's temporary credentials; and the translation of DynamoDB's errors into Tributary's
/// exception classes.
/// </summary>
internal static class DynamoDbClientFactory
{
    /// <summary>The error codes that mean the credentials, not the request, are wrong: the sync cannot succeed until they change.</summary>
    private static readonly HashSet<string> CredentialErrors = new(StringComparer.Ordinal)
    {
        "UnrecognizedClientException", "InvalidSignatureException", "MissingAuthenticationTokenException",
        "IncompleteSignatureException", "AccessDeniedException", "ExpiredTokenException", "InvalidClientTokenId",
        "SignatureDoesNotMatch", "AuthFailure",
    };

    private static readonly HashSet<string> TransientErrors = new(StringComparer.Ordinal)
    {
        "ProvisionedThroughputExceededException", "RequestLimitExceeded", "ThrottlingException", "InternalServerError",
        "ServiceUnavailable",
    };

    public static async Task<AmazonDynamoDBClient> CreateAsync(SyncContext context, DynamoDbSettings settings, CancellationToken cancellationToken)
    {
        var accessKeyId = await RequiredSecretAsync(context, "aws_access_key_id", cancellationToken);
        var secretAccessKey = await RequiredSecretAsync(context, "aws_secret_access_key", cancellationToken);
        AWSCredentials credentials = new BasicAWSCredentials(accessKeyId, secretAccessKey);
        if (settings.RoleArn is { } roleArn)
        {
            // STS AssumeRole with the key pair, as the original's sts.assume_role(RoleArn, RoleSessionName="sdkSession"); the
            // SDK refreshes the temporary credentials before they expire. It loads the STS client (AWSSDK.SecurityToken) at
            // run time: see the README.
            if (Type.GetType("Amazon.SecurityToken.AmazonSecurityTokenServiceClient, AWSSDK.SecurityToken") is null)
            {
                throw new ConfigurationException(
                    "Configuration key 'role_arn' needs the AWS STS client, which this build does not carry: add the package " +
                    "AWSSDK.SecurityToken to the connectors project, or leave 'role_arn' empty and give the role's user keys.");
            }

            credentials = new AssumeRoleAWSCredentials(credentials, roleArn, "tributary-dynamo-db", new AssumeRoleAWSCredentialsOptions());
        }

        var config = new AmazonDynamoDBConfig { MaxErrorRetry = 4 };
        if (settings.ServiceUrl is { } serviceUrl)
        {
            // DynamoDB Local, dynalite, a VPC endpoint: requests are still signed for the region.
            config.ServiceURL = serviceUrl.AbsoluteUri;
            config.AuthenticationRegion = settings.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(settings.Region);
        }

        return new AmazonDynamoDBClient(credentials, config);
    }

    /// <summary>Runs one DynamoDB call, turning its failure into an error that says what to do.</summary>
    /// <param name="call">The call.</param>
    /// <param name="what">The call, for the message: <c>Scan of customers, segment 2 of 4</c>.</param>
    public static async Task<T> CallAsync<T>(Func<Task<T>> call, string what)
    {
        try
        {
            return await call();
        }
        catch (AmazonServiceException ex) when (ex.ErrorCode is { } code && CredentialErrors.Contains(code))
        {
            throw new ConfigurationException(
                $"DynamoDB refused the credentials ({code}: {ex.Message}) on {what}. Check the secrets 'aws_access_key_id' and " +
                "'aws_secret_access_key' (and 'role_arn', and that the role may call dynamodb:Scan and dynamodb:DescribeTable).", ex);
        }
        catch (AmazonServiceException ex) when (ex.ErrorCode == "ResourceNotFoundException")
        {
            throw new ConfigurationException($"DynamoDB has no such table ({ex.Message}) on {what}. Check the configuration key 'tables' and 'region'.", ex);
        }
        catch (AmazonServiceException ex) when (ex.ErrorCode is { } code && TransientErrors.Contains(code))
        {
            throw new SourceUnavailableException($"DynamoDB is throttling or unavailable ({code}) on {what}, after the SDK's retries.", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new SourceUnavailableException($"DynamoDB could not be reached on {what}: {ex.Message}", ex);
        }
        catch (AmazonClientException ex)
        {
            throw new ConfigurationException($"The AWS credentials could not be used on {what}: {ex.Message}", ex);
        }
    }

    private static async Task<string> RequiredSecretAsync(SyncContext context, string name, CancellationToken cancellationToken)
    {
        var value = await context.GetSecretAsync(name, cancellationToken);
        return string.IsNullOrWhiteSpace(value)
            ? throw new ConfigurationException($"The secret '{name}' is empty; set it to the IAM user's {(name.EndsWith("id", StringComparison.Ordinal) ? "access key id" : "secret access key")}.")
            : value.Trim();
    }
}
