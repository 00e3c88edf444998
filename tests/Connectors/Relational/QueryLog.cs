using System.Collections.Concurrent;
using System.Diagnostics;

namespace Tributary.Connectors.Tests.Relational;

/// <summary>The SQL the connector sent to one source database, from Npgsql's tracing (its <c>Npgsql</c> activity source):
/// what was asked of the server, in order.</summary>
internal sealed class QueryLog : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<string> _queries = new();

    public QueryLog(string database)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("db.namespace") as string == database && activity.GetTagItem("db.query.text") is string query)
                {
                    _queries.Enqueue(query);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Every query so far, oldest first.</summary>
    public IReadOnlyList<string> Queries => [.. _queries];

    /// <summary>Forgets the queries so far.</summary>
    public void Clear() => _queries.Clear();

    public void Dispose() => _listener.Dispose();
}
