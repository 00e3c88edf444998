using System.Globalization;
using Tributary.Destinations.Delta.Storage;
using Tributary.Runtime.State;

namespace Tributary.Destinations.Delta.Writing;

/// <summary>
/// The schema-level half of fencing (<see cref="Runtime.Destinations.WriteBatch.Fence"/>): each lease epoch that writes
/// to a schema creates the empty marker <c>&lt;schema&gt;/_tributary_fence/&lt;epoch&gt;</c> (create-if-absent), and a batch
/// whose epoch is below the largest marker is refused. The table-level half is atomic with the commit: every table's
/// metadata records the largest epoch that committed to it (<see cref="DeltaSchema.FenceKey"/>), checked against the
/// snapshot the commit is based on, and the commit is the exclusive creation of the next version. So a stale writer can
/// never commit to a table after a newer writer did, and once it has seen a newer writer's marker, it commits to no table
/// of the schema at all.
/// <para>
/// The marker is checked just before the commit, not atomically with it: a stale batch that passed its last check can
/// still commit to a table the newer writer has not written yet, if the newer marker appears in between. That commit is
/// ordered before every commit of the newer writer to that table (had the newer writer committed first, it would hold
/// the version the stale commit needs, and the stale batch, planned again, would meet the table's fence). So it is like
/// the writes a crashed run leaves after its last checkpoint: kept, and overwritten by the rerun, which replays from the
/// saved state. What fencing must rule out, a stale write landing after a newer one, cannot happen.
/// </para>
/// </summary>
internal sealed class SchemaFence(ILakeStorage storage)
{
    /// <summary>The folder of a schema's fence markers; starting with '_', it is no table and vacuum leaves it alone.</summary>
    public const string Folder = "_tributary_fence";

    /// <summary>Checks <paramref name="epoch"/> against the schema's markers and records it.</summary>
    /// <exception cref="ConnectorBusyException">A larger epoch has written to the schema.</exception>
    public async Task CheckAsync(string schema, string table, long epoch, CancellationToken cancellationToken)
    {
        var prefix = schema + "/" + Folder;
        long largest = long.MinValue;
        var mine = false;
        await foreach (var file in storage.ListAsync(prefix, cancellationToken))
        {
            var name = file.Path[(file.Path.LastIndexOf('/') + 1)..];
            if (long.TryParse(name, NumberStyles.Integer, CultureInfo.InvariantCulture, out var marker))
            {
                largest = Math.Max(largest, marker);
                mine |= marker == epoch;
            }
        }

        Refuse(schema, table, epoch, largest);
        if (!mine)
        {
            await storage.TryCreateAsync(prefix + "/" + epoch.ToString("D19", CultureInfo.InvariantCulture), ReadOnlyMemory<byte>.Empty, cancellationToken);
        }
    }

    /// <summary>Throws when <paramref name="recorded"/> is above <paramref name="epoch"/>.</summary>
    /// <exception cref="ConnectorBusyException">It is.</exception>
    public static void Refuse(string schema, string table, long epoch, long? recorded)
    {
        if (recorded is { } stored && stored > epoch)
        {
            throw new ConnectorBusyException(
                $"Schema '{schema}' was written by a run holding a later lease (epoch {stored}) than this run's (epoch {epoch}): " +
                $"this run lost its lease, and its batch for table '{table}' was not written.");
        }
    }
}
