using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Tributary.Runtime.Destinations;
using Tributary.Runtime.State;

namespace Tributary.Runtime;

/// <summary>
/// The engine's writer: commits batches to the destination one at a time, in order, while the consumer builds the next
/// one, so coercion and the destination's work overlap; a step handed over between batches (saving a checkpoint's state)
/// runs after the batches before it are committed. It holds one item at a time; the consumer waits while it does
/// (back-pressure).
/// </summary>
internal sealed class BatchWriter(IDestination destination, ILogger log)
{
    private readonly Channel<Write> _writes = Channel.CreateBounded<Write>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
    private int _schemaChanges;
    private int _unfinished;   // items handed over and not yet done
    private volatile TaskCompletionSource? _idle;

    /// <summary>Schema changes committed so far.</summary>
    public int SchemaChanges => Volatile.Read(ref _schemaChanges);

    /// <summary>Whether everything handed over is done: what is handed over next starts at once.</summary>
    public bool IsIdle => Volatile.Read(ref _unfinished) == 0;

    /// <summary>Completes once everything handed over so far is done (at once when it is). For one waiter at a time.</summary>
    public Task IdleAsync()
    {
        var idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _idle = idle;
        if (IsIdle)
        {
            idle.TrySetResult();   // done before the waiter was there to be told
        }

        return idle.Task;
    }

    /// <summary>Hands a batch over; <paramref name="owner"/> gets its vectors back once it is written.</summary>
    public ValueTask WriteAsync(WriteBatch batch, TableWriter owner, CancellationToken cancellationToken) =>
        HandOverAsync(new Write(batch, owner, null), cancellationToken);

    /// <summary>Hands over <paramref name="step"/>, run once every batch handed over before it is committed; if it throws, the writer fails.</summary>
    public ValueTask ThenAsync(Func<CancellationToken, Task> step, CancellationToken cancellationToken) =>
        HandOverAsync(new Write(null, null, step), cancellationToken);

    /// <summary>Returns once everything handed over before it is done; also ends at <paramref name="stop"/>.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken, CancellationToken stop)
    {
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await ThenAsync(_ => { drained.TrySetResult(); return Task.CompletedTask; }, cancellationToken);
        using var stopped = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stop);
        await drained.Task.WaitAsync(stopped.Token);
    }

    /// <summary>Nothing more comes: <see cref="RunAsync"/> ends after the batches it holds, or with <paramref name="error"/>.</summary>
    public void Complete(Exception? error = null) => _writes.Writer.TryComplete(error);

    /// <summary>
    /// Writes every batch handed over until <see cref="Complete"/>, each under <paramref name="lease"/> (refused once it is
    /// lost, and fenced by its epoch); <paramref name="written"/> is called after each.
    /// </summary>
    public async Task RunAsync(IConnectorLease lease, Action written, CancellationToken cancellationToken)
    {
        await foreach (var write in _writes.Reader.ReadAllAsync(cancellationToken))
        {
            await DoAsync(write, lease, written, cancellationToken);
            if (Interlocked.Decrement(ref _unfinished) == 0)
            {
                _idle?.TrySetResult();
            }
        }
    }

    private async ValueTask HandOverAsync(Write write, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _unfinished);
        try
        {
            await _writes.Writer.WriteAsync(write, cancellationToken);
        }
        catch
        {
            Interlocked.Decrement(ref _unfinished);
            throw;
        }
    }

    private async Task DoAsync(Write write, IConnectorLease lease, Action written, CancellationToken cancellationToken)
    {
        if (write.Batch is not { } batch)
        {
            await write.Step!(cancellationToken);
            return;
        }

        lease.ThrowIfLost();
        batch.Fence = lease.Epoch;   // the destination refuses it once a later lease has written the schema
        var matched = await destination.WriteAsync(batch, cancellationToken);
        foreach (var change in batch.Changes)
        {
            SyncLog.SchemaChanged(log, batch.Schema, batch.Table.Name, change.ToString());
        }

        Interlocked.Add(ref _schemaChanges, batch.Changes.Count);
        if (matched < batch.RowCount)
        {
            var unknown = batch.RowCount - matched;   // every upsert applies; an update or delete of a missing key does not
            write.Owner!.AddUnknownKeys(unknown);
            SyncLog.UnknownKeys(log, batch.Table.Name, unknown);
        }

        write.Owner!.Recycle(batch);
        written();
    }

    /// <summary>A batch with the table writer that gets its vectors back; or, alone, a step.</summary>
    private sealed record Write(WriteBatch? Batch, TableWriter? Owner, Func<CancellationToken, Task>? Step);
}
