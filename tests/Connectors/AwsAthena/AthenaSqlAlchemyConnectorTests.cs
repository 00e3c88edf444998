using System.Text.Json.Nodes;
using Tributary.Connectors.AwsAthena.UsingSqlAlchemy;
using Tributary.Sdk;
using Xunit;

namespace Tributary.Connectors.Tests.AwsAthena;

/// <summary>The SQLAlchemy port: rows from a cursor over the query, one checkpoint at the end.</summary>
public sealed class AthenaSqlAlchemyConnectorTests : AthenaConnectorTests
{
    private protected override string Name => "aws_athena_using_sqlalchemy";

    private protected override string Folder => "AwsAthena/UsingSqlAlchemy";

    private protected override Connector CreateConnector() => new AthenaSqlAlchemyConnector();

    // One checkpoint per snapshot: the killed sync left the last one's state, and the rerun runs the query again.
    private protected override void AssertResumed(JsonObject stateAfterKill, IReadOnlyList<string> rerunOperations)
    {
        Assert.Empty(stateAfterKill);
        Assert.Equal("StartQueryExecution", rerunOperations[0]);
    }
}
