using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Tributary.Runtime;

/// <summary>What a connector asked for.</summary>
internal enum Op
{
    Upsert,
    Update,
    Delete,
    Truncate,
    Checkpoint,
}

/// <summary>
/// A checkpoint on its way to the consumer; its state is saved after the rows before it, and the run record too when
/// <paramref name="SaveRecord"/>. <paramref name="Saved"/> is set when its caller waits until the state is saved: it
/// asked to (<see cref="Tributary.Sdk.SyncContext.CheckpointAndWaitAsync"/>), or the run pauses here (<paramref name="Pauses"/>).
/// Any other checkpoint's caller goes on at once.
/// </summary>
internal sealed record Checkpoint(JsonObject State, bool SaveRecord, TaskCompletionSource? Saved, bool Pauses);

/// <summary>One operation of a connector, in call order.</summary>
internal readonly record struct Operation(Op Kind, string Table, RowFields Row, Checkpoint? Checkpoint);

/// <summary>
/// The bounded queue between a connector and the engine's single consumer. Operations are gathered into chunks, which
/// amortise the queue's cost over many rows; a full chunk, a checkpoint, or the end sends the chunk, waiting while the
/// queue is full (back-pressure). Calls from several connector tasks keep their call order.
/// </summary>
internal sealed class OperationQueue : IDisposable
{
    private const int ChunkSize = 512;

    private readonly Channel<List<Operation>> _chunks;
    private readonly SemaphoreSlim _gate = new(1, 1);   // orders chunks into the queue: operations stay in call order
    private readonly ConcurrentQueue<List<Operation>> _spare = new();   // chunks the consumer is done with, for reuse
    private readonly CancellationToken _stop;
    private List<Operation> _chunk = new(ChunkSize);
    private long _operations;

    /// <summary>Operations enqueued so far, checkpoints not counted.</summary>
    public long Operations => Volatile.Read(ref _operations);

    /// <summary>Creates a queue of about <paramref name="capacity"/> operations; a wait in it also ends at <paramref name="stop"/>.</summary>
    public OperationQueue(int capacity, CancellationToken stop)
    {
        _stop = stop;
        _chunks = Channel.CreateBounded<List<Operation>>(new BoundedChannelOptions(Math.Max(1, capacity / ChunkSize))
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>The chunks, in call order, for the consumer.</summary>
    public ChannelReader<List<Operation>> Reader => _chunks.Reader;

    /// <summary>Adds an operation; <see langword="null"/> sends the last, partly filled chunk.</summary>
    public ValueTask EnqueueAsync(Operation? operation, CancellationToken cancellationToken)
    {
        if (!_gate.Wait(0, CancellationToken.None))
        {
            return SlowAsync(operation, cancellationToken);
        }

        var full = Add(operation);
        if (full is null || _chunks.Writer.TryWrite(full))
        {
            _gate.Release();
            return ValueTask.CompletedTask;
        }

        return SendAsync(full, cancellationToken);

        async ValueTask SlowAsync(Operation? operation, CancellationToken cancellationToken)
        {
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop))
            {
                await _gate.WaitAsync(linked.Token);
            }

            var full = Add(operation);
            if (full is null || _chunks.Writer.TryWrite(full))
            {
                _gate.Release();
                return;
            }

            await SendAsync(full, cancellationToken);
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>Takes back a chunk the consumer has applied, for the next operations.</summary>
    public void Recycle(List<Operation> chunk)
    {
        chunk.Clear();
        _spare.Enqueue(chunk);
    }

    /// <summary>No more chunks: the consumer ends after the last, or with <paramref name="error"/>.</summary>
    public void Complete(Exception? error = null) => _chunks.Writer.TryComplete(error);

    // Called with the gate held; releases it.
    private async ValueTask SendAsync(List<Operation> chunk, CancellationToken cancellationToken)
    {
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop);
            await _chunks.Writer.WriteAsync(chunk, linked.Token);
        }
        finally
        {
            _gate.Release();
        }
    }

    // Called with the gate held. Returns the chunk to send, if it is ready.
    private List<Operation>? Add(Operation? operation)
    {
        if (operation is { } op)
        {
            _chunk.Add(op);
            if (op.Kind != Op.Checkpoint)
            {
                Volatile.Write(ref _operations, _operations + 1);
            }
        }

        if (_chunk.Count == 0 || (operation is { Kind: not Op.Checkpoint } && _chunk.Count < ChunkSize))
        {
            return null;
        }

        var full = _chunk;
        _chunk = _spare.TryDequeue(out var spare) ? spare : new List<Operation>(ChunkSize);
        return full;
    }
}
