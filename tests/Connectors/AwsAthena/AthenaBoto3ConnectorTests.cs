using System.Text.Json.Nodes;
using Tributary.Connectors.AwsAthena.UsingBoto3;
using Tributary.Sdk;
using Xunit;

namespace Tributary.Connectors.Tests.AwsAthena;

/// <summary>The boto3 port: the API calls step by step, a checkpoint per page of results.</summary>
public sealed class AthenaBoto3ConnectorTests : AthenaConnectorTests
{
    private protected override string Name => "aws_athena_using_boto3";

    private protected override string Folder => "AwsAthena/UsingBoto3";

    private protected override Connector CreateConnector() => new AthenaBoto3Connector();

    // The checkpoint after page 1 kept the query and the token of page 2: the rerun reads on from there, no new query.
    private protected override void AssertResumed(JsonObject stateAfterKill, IReadOnlyList<string> rerunOperations)
    {
        Assert.NotNull(stateAfterKill["query_execution_id"]);
        Assert.NotNull(stateAfterKill["next_token"]);
        Assert.Equal(["GetQueryResults", "GetQueryResults"], rerunOperations);
    }
}
