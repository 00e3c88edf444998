using System.Data.Common;
using System.Net;
using Tributary.Runtime.State;
using Tributary.Sdk;

namespace Tributary.Runtime.Tests.State;

/// <summary>The retry taxonomy: configuration errors, transient errors, and everything else.</summary>
public sealed class RunErrorsTests
{
    public static TheoryData<Exception, RunErrorKind> Cases => new()
    {
        { new ConfigurationException("Missing required configuration key 'api_url'."), RunErrorKind.Configuration },
        { new InvalidOperationException("wrapped", new ConfigurationException("bad value")), RunErrorKind.Configuration },
        { new SourceUnavailableException("the API is down"), RunErrorKind.Transient },
        { new TimeoutException(), RunErrorKind.Transient },
        { new HttpRequestException("no answer"), RunErrorKind.Transient },
        { new HttpRequestException("busy", null, HttpStatusCode.TooManyRequests), RunErrorKind.Transient },
        { new HttpRequestException("down", null, HttpStatusCode.ServiceUnavailable), RunErrorKind.Transient },
        { new HttpRequestException("not found", null, HttpStatusCode.NotFound), RunErrorKind.Fatal },
        { new HttpRequestException("refused", null, HttpStatusCode.Unauthorized), RunErrorKind.Fatal },
        { new Database(transient: true), RunErrorKind.Transient },
        { new InvalidOperationException("PostgreSQL could not write the batch", new Database(transient: true)), RunErrorKind.Transient },
        { new Database(transient: false), RunErrorKind.Fatal },
        { new SyncException("Table 'items', column 'n': value 'x' cannot be converted to INT"), RunErrorKind.Fatal },
        { new ConnectorBusyException("lease lost", new TimeoutException()), RunErrorKind.Fatal },
        { new InvalidOperationException("a bug"), RunErrorKind.Fatal },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Classify_Exception_GivesItsKind(Exception error, RunErrorKind expected) => Assert.Equal(expected, RunErrors.Classify(error));

    [Fact]
    public void Classify_HostKnowsTransient_CountsIt()
    {
        var storage = new IOException("storage said 503");

        Assert.Equal(RunErrorKind.Fatal, RunErrors.Classify(storage));
        Assert.Equal(RunErrorKind.Transient, RunErrors.Classify(new InvalidOperationException("outer", storage), e => e is IOException));
    }

    private sealed class Database(bool transient) : DbException("database error")
    {
        public override bool IsTransient => transient;
    }
}
