using System.Text.Json;
using Tributary.Runtime.State;

namespace Tributary.Runtime.Tests.State;

/// <summary>The run record's copy, which a save takes while the run goes on.</summary>
public sealed class RunRecordTests
{
    [Fact]
    public void Copy_EveryPropertySet_CarriesEachAndSharesNoCounts()
    {
        var record = new RunRecord
        {
            Id = "run-1",
            SyncId = "sync-1",
            Connector = "orders",
            Trigger = "timer",
            StartedAt = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero),
            EndedAt = new DateTimeOffset(2026, 12, 1, 9, 5, 0, TimeSpan.Zero),
            Outcome = RunOutcome.Failed,
            Checkpoints = 3,
            SchemaChanges = 2,
            LastCheckpointAt = new DateTimeOffset(2026, 12, 1, 9, 4, 0, TimeSpan.Zero),
            StateBytes = 120,
            Error = "the API is down",
            ErrorKind = RunErrorKind.Transient,
            Tables = { ["orders"] = new TableCounts { Upserts = 5, Updates = 4, Deletes = 3, Truncates = 2, UnknownKeys = 1 } },
        };
        // A property added later must be set above, so that the comparison below covers it.
        var unset = typeof(RunRecord).GetProperties().Select(p => (p, Of: (object)record))
            .Concat(typeof(TableCounts).GetProperties().Select(p => (p, Of: (object)record.Tables["orders"])))
            .Where(x => x.p.GetValue(x.Of) is not { } value || (x.p.PropertyType.IsValueType && value.Equals(Activator.CreateInstance(x.p.PropertyType))))
            .Select(x => x.p.Name);
        Assert.Empty(unset);

        var copy = record.Copy();
        record.Tables["orders"].Upserts++;

        Assert.Equal(5, copy.Tables["orders"].Upserts);
        copy.Tables["orders"].Upserts++;
        Assert.Equal(JsonSerializer.Serialize(record), JsonSerializer.Serialize(copy));
    }
}
