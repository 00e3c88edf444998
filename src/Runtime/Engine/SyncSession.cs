using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;
using Tributary.Runtime.Secrets;
using Tributary.Runtime.State;
using Tributary.Sdk;

namespace Tributary.Runtime;

/// <summary>
/// One run: the <see cref="SyncContext"/> the connector writes to, and the single consumer that turns its
/// operations into batches, writes them, and commits checkpoints. Connector → bounded queue → per-table
/// batches → destination.
/// </summary>
internal sealed class SyncSession : SyncContext, IDisposable
{
    private readonly SyncRequest _request;
    private readonly IDestination _destination;
    private readonly IStateStore _store;
    private readonly ISecretStore _secrets;
    private readonly SyncRunnerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Func<HttpClient> _httpClient;
    private readonly RunRecord _record;
    private readonly Task _recordStarted;   // the record's first save, made as the run started; later saves follow it
    private const int BufferCheckInterval = 1024;   // operations between counts of the rows buffered across tables
    // Between its start and its end a run's record is saved at its first checkpoint, then at most this often: enough for
    // status readers, and a sync that checkpoints every page does not write it for each.
    private static readonly TimeSpan RecordInterval = TimeSpan.FromSeconds(5);

    private readonly OperationQueue _queue;
    private readonly Dictionary<string, TableWriter> _tables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TableDefinition> _declared = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _tableNames = new(StringComparer.Ordinal);
    // Every secret value this run has read or written: kept out of state, run records, errors and logs.
    private readonly SecretGuard _secretValues = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly RunEndGate _end;
    private CancellationToken _runToken;   // the connector's token: cancelled when the run stops for any reason
    private readonly long _started;
    private readonly ILogger _connectorLogger;
    private Dictionary<string, TableSchema> _existing = [];   // the destination's tables, read by the consumer as it starts
    private IConnectorLease? _lease;
    private string? _stateVersion;
    private JsonObject _state = [];
    private readonly BatchWriter _writer;
    private Exception? _failure;   // the first failure of the consumer or the writer: the run's root cause
    private volatile bool _paused;
    private long _operations;   // applied by the consumer this run
    private long _bufferedBytes; // estimated bytes buffered across tables (TableWriter.BufferedBytes summed)
    private long? _recordSaved;  // when the last checkpoint that saves the run record was made
    private HttpClient? _http;
    private (string Source, TableWriter Writer)? _lastTable;
    private Held? _held;   // the newest checkpoint not yet committed, while the writer was busy (see ApplyAsync)

    public SyncSession(
        SyncRequest request,
        IDestination destination,
        IStateStore store,
        ISecretStore secrets,
        SyncRunnerOptions options,
        TimeProvider time,
        ILoggerFactory loggerFactory,
        Func<HttpClient> httpClient,
        RunRecord record,
        Task recordStarted)
    {
        _request = request;
        _destination = destination;
        _store = store;
        _secrets = secrets;
        _options = options;
        _time = time;
        _httpClient = httpClient;
        _record = record;
        _recordStarted = recordStarted;
        _log = loggerFactory.CreateLogger("Tributary.Sync");
        _connectorLogger = new RedactingLogger(loggerFactory.CreateLogger("Tributary.Connector." + request.Connection), _secretValues);
        _started = time.GetTimestamp();
        _end = new RunEndGate($"run {record.Id} of connection '{request.Connection}'");
        _queue = new OperationQueue(options.QueueCapacity, _stop.Token);
        _writer = new BatchWriter(destination, _log);
    }

    public override ConnectorConfiguration Configuration => _request.Configuration;

    public override JsonObject State => _state;

    public override ILogger Logger => _connectorLogger;

    public override TimeProvider TimeProvider => _time;

    public override TimeSpan? RemainingTime => _request.TimeBudget is { } budget ? budget - _time.GetElapsedTime(_started) : null;

    public override HttpClient HttpClient => _http ??= _httpClient();

    // The run is ending: stopped by the engine (its _stop reaches the connector's token a moment later), its deadline, or its caller.
    private bool Stopping => _stop.IsCancellationRequested || _runToken.IsCancellationRequested;

    /// <summary>Runs the connector to its end, its pause, its deadline or its failure; fills in the run record.</summary>
    /// <param name="lease">The connector's lease, held by the runner.</param>
    /// <param name="produce">What the connector does with this context: its update, or its webhook handler.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    public async Task RunAsync(IConnectorLease lease, Func<SyncContext, CancellationToken, Task> produce, CancellationToken cancellationToken)
    {
        _lease = lease;
        var deadline = _request.HardDeadline ?? _request.TimeBudget * 2;
        using var deadlineSource = deadline is { } d ? new CancellationTokenSource(d, _time) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadlineSource.Token, _stop.Token);
        var token = _runToken = linked.Token;
        // The writer is not stopped with the run: it commits what it was handed (and the checkpoints among it), then ends.
        using var writing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadlineSource.Token);

        Task? connector = null;
        Task? consumer = null;
        Task? writer = null;
        try
        {
            var snapshot = await _store.ReadAsync(_request.Connection, cancellationToken);
            (_state, _stateVersion) = (snapshot.State, snapshot.Version);
            foreach (var table in _request.Connector.Schema(_request.Configuration))
            {
                var name = ClaimTable(table.Name);
                if (!_declared.TryAdd(name, table))
                {
                    throw new SyncException($"The schema declares table '{table.Name}' twice.");
                }
            }

            // The destination opens while the connector starts: a warehouse's open and catalog read, or a source's first
            // request, need not wait for each other. The consumer waits for the tables before the first operation.
            var existing = Task.Run(() => _destination.GetTablesAsync(_request.Schema, token), CancellationToken.None);
            writer = Task.Run(() => WriteBatchesAsync(writing.Token), CancellationToken.None);
            consumer = Task.Run(() => ConsumeAsync(existing, token), CancellationToken.None);
            Exception? producerFailure = null;
            try
            {
                connector = produce(this, token);
                await connector.WaitAsync(token);   // also ends on the token: a connector that ignores it is stopped below
            }
            catch (Exception ex)
            {
                producerFailure = ex;
            }

            if (producerFailure is null)
            {
                await EnqueueAsync(null, token);   // the last, partly filled chunk
            }

            _queue.Complete();
            if (producerFailure is null || _paused)
            {
                await consumer;
                if (!_paused)
                {
                    await FlushAllAsync(token);
                }

                _writer.Complete();
                if (_paused)
                {
                    // The pausing checkpoint drained the writer once its state was saved; pausing cancelled the rest.
                    await StopAsync(null, writer);
                }
                else
                {
                    await writer;
                }

                _record.Outcome = _paused ? RunOutcome.Paused : RunOutcome.Succeeded;
            }
            else if (!token.IsCancellationRequested)
            {
                // The connector failed: the checkpoints it made before are still committed, its unsent last rows are not.
                await consumer;
                _writer.Complete();
                await writer;
                throw producerFailure;
            }
            else
            {
                // The run was stopped: the connector and the consumer end here; the writer commits what it holds, unless
                // the deadline or the caller cancelled it.
                await StopAsync(consumer, writer);
                throw _failure ?? producerFailure;
            }
        }
        catch (Exception ex) when (deadlineSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested && ex is OperationCanceledException or ChannelClosedException)
        {
            _record.Outcome = RunOutcome.TimedOut;
            _record.Error = $"The run passed its hard deadline ({deadline}) before a checkpoint; what it wrote is kept and the state did not move.";
            await StopAsync(consumer, writer);
            await FailIfNeverCheckpointsAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            await StopAsync(consumer, writer);
            var root = _failure ?? ex;
            _record.Outcome = RunOutcome.Failed;
            _record.Error = _secretValues.Redact(Describe(root));
            _record.ErrorKind = RunErrors.Classify(root is ChannelClosedException { InnerException: { } inner } ? inner : root, _options.IsTransient);
            SyncLog.RunFailed(_log, _request.Connection, _record.Id, _record.Error);
        }
        finally
        {
            await EndAsync(connector);
        }

        _record.SchemaChanges = _writer.SchemaChanges;
        if (_record.Error is { } error)
        {
            _record.Error = _secretValues.Redact(error);   // whichever way the run ended, its record holds no secret
        }
    }

    // The run is over however it ended: its connector is refused, cancelled and waited for (bounded) before the lease goes.
    private async Task EndAsync(Task? connector)
    {
        var grace = _options.StopGracePeriod;
        if (!await _end.CloseAsync(connector, _stop, grace, _time))
        {
            SyncLog.ConnectorDidNotStop(_log, _request.Connection, _record.Id, grace);
            var note = $"The connector did not stop within {grace} of the run's end; everything it did afterwards was refused.";
            _record.Error = _record.Error is null ? note : $"{_record.Error} {note}";
        }
    }

    public void Dispose()
    {
        _stop.Dispose();
        _queue.Dispose();
    }

    public override ValueTask UpsertAsync(string table, object row, CancellationToken cancellationToken = default)
    {
        _end.ThrowIfClosed(nameof(UpsertAsync));
        return EnqueueAsync(new Operation(Op.Upsert, TableName(table), RowReader.Capture(Required(row)), null), cancellationToken);
    }

    public override ValueTask UpdateAsync(string table, object row, CancellationToken cancellationToken = default)
    {
        _end.ThrowIfClosed(nameof(UpdateAsync));
        return EnqueueAsync(new Operation(Op.Update, TableName(table), RowReader.Capture(Required(row)), null), cancellationToken);
    }

    public override ValueTask DeleteAsync(string table, object keys, CancellationToken cancellationToken = default)
    {
        _end.ThrowIfClosed(nameof(DeleteAsync));
        return EnqueueAsync(new Operation(Op.Delete, TableName(table), RowReader.Capture(Required(keys)), null), cancellationToken);
    }

    public override ValueTask TruncateAsync(string table, CancellationToken cancellationToken = default)
    {
        _end.ThrowIfClosed(nameof(TruncateAsync));
        return EnqueueAsync(new Operation(Op.Truncate, TableName(table), default, null), cancellationToken);
    }

    public override ValueTask CheckpointAsync(object state, CancellationToken cancellationToken = default) =>
        CheckpointAsync(state, wait: false, cancellationToken);

    public override ValueTask CheckpointAndWaitAsync(object state, CancellationToken cancellationToken = default) =>
        CheckpointAsync(state, wait: true, cancellationToken);

    private async ValueTask CheckpointAsync(object state, bool wait, CancellationToken cancellationToken)
    {
        _end.ThrowIfClosed(wait ? nameof(CheckpointAndWaitAsync) : nameof(CheckpointAsync));
        ArgumentNullException.ThrowIfNull(state);
        var snapshot = (state is JsonObject json ? json.DeepClone() : JsonSerializer.SerializeToNode(state)) as JsonObject
            ?? throw new ArgumentException($"State must serialise to a JSON object; a {state.GetType().Name} does not.", nameof(state));
        // Pause only a run that got somewhere: a continuation whose one checkpoint adds nothing finishes instead of looping.
        var pauses = _request.TimeBudget is { } budget && _time.GetElapsedTime(_started) >= budget && _queue.Operations > 0;
        var saved = pauses || wait ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
        var saveRecord = _recordSaved is not { } last || _time.GetElapsedTime(last) >= RecordInterval;
        if (saveRecord)
        {
            _recordSaved = _time.GetTimestamp();
        }

        await EnqueueAsync(new Operation(Op.Checkpoint, string.Empty, default, new Checkpoint(snapshot, saveRecord, saved, pauses)), cancellationToken);
        if (saved is null)
        {
            return;   // the connector reads on while the engine commits the rows before this checkpoint, then saves its state
        }

        // The wait also ends when the run stops (a failed consumer never completes the barrier).
        using var stopped = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        await saved.Task.WaitAsync(stopped.Token);
        if (!pauses)
        {
            return;
        }

        await _stop.CancelAsync();
        throw new SyncPausedException("The time budget is spent: the sync paused at this checkpoint and continues from it.", _stop.Token);
    }

    public override async ValueTask<string> GetSecretAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var value = await _secrets.GetAsync(_request.Connection, name, cancellationToken)
            ?? throw new ConfigurationException($"Connection '{_request.Connection}' has no secret '{name}'.");
        _secretValues.Remember(name, value);
        return value;
    }

    public override async ValueTask SetSecretAsync(string name, string value, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        _secretValues.Remember(name, value);   // masked even when the write is refused
        using var inside = _end.Enter(nameof(SetSecretAsync));   // the run's end waits for a write under way
        if (Stopping)
        {
            throw new OperationCanceledException("SetSecretAsync was refused: the run is stopping; the secret was not written.", _runToken);
        }

        _lease!.ThrowIfLost();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _runToken);
        await _secrets.SetAsync(_request.Connection, name, value, linked.Token);
    }

    // Hands an operation (null: the end) to the consumer, unless the run is stopping.
    private ValueTask EnqueueAsync(Operation? operation, CancellationToken cancellationToken) => Stopping
        ? throw new OperationCanceledException("The sync has stopped; the operation was refused.", _runToken)
        : _queue.EnqueueAsync(operation, cancellationToken);

    private async Task ConsumeAsync(Task<IReadOnlyList<TableSchema>> existing, CancellationToken cancellationToken)
    {
        try
        {
            _existing = (await existing).ToDictionary(t => t.Name, StringComparer.Ordinal);
            var reader = _queue.Reader;
            while (true)
            {
                if (!reader.TryRead(out var chunk))
                {
                    // The connector is slower than the engine: a held checkpoint is committed once the writer is idle.
                    var more = reader.WaitToReadAsync(cancellationToken).AsTask();
                    if (_held is not null && !_writer.IsIdle)
                    {
                        await Task.WhenAny(more, _writer.IdleAsync());
                    }

                    if (!more.IsCompleted || !await more)
                    {
                        await CommitHeldAsync(cancellationToken);   // the writer is idle, or the connector is done
                    }

                    if (!await more)
                    {
                        return;
                    }

                    continue;
                }

                foreach (var operation in chunk)
                {
                    if (await ApplyAsync(operation, cancellationToken))
                    {
                        return;   // paused: nothing after this checkpoint is taken
                    }
                }

                _queue.Recycle(chunk);
                if (_writer.IsIdle)
                {
                    await CommitHeldAsync(cancellationToken);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await FailAsync(ex);
            throw;
        }
    }

    // Returns true when the run pauses at this operation (a checkpoint after the budget).
    // A checkpoint that meets the writer busy is held rather than committed: the rows after it join the same batches, and
    // the next checkpoint replaces it. So a connector that checkpoints every page gets batches as large as the writer's
    // pace allows, not a transaction and a state save per page. A held checkpoint is committed as soon as the writer is
    // idle (checked between chunks, and while the queue is empty), a table's batch fills, or the run ends; a checkpoint
    // whose caller waits for it (it pauses the run, or the connector asked to) at once.
    private async ValueTask<bool> ApplyAsync(Operation operation, CancellationToken cancellationToken)
    {
        if (operation.Checkpoint is { } checkpoint)
        {
            _held = new Held(checkpoint.State, CheckState(checkpoint.State), checkpoint.SaveRecord || _held is { SaveRecord: true }, 1 + (_held?.Covers ?? 0));
            if (_writer.IsIdle || checkpoint.Saved is not null)
            {
                await CommitHeldAsync(cancellationToken);
            }

            if (checkpoint.Saved is not { } saved)
            {
                return false;
            }

            await _writer.DrainAsync(cancellationToken, _stop.Token);
            _paused = checkpoint.Pauses;
            saved.TrySetResult();
            return checkpoint.Pauses;
        }

        _operations++;
        var writer = Writer(operation.Table);
        var counts = writer.Counts;
        var bytesBefore = writer.BufferedBytes;
        WriteBatch? ready;
        switch (operation.Kind)
        {
            case Op.Upsert:
                counts.Upserts++;
                ready = writer.Upsert(operation.Row, _request.Schema);
                break;
            case Op.Update or Op.Delete:
                var kind = operation.Kind == Op.Update ? OperationKind.Update : OperationKind.Delete;
                if (kind == OperationKind.Update)
                {
                    counts.Updates++;
                }
                else
                {
                    counts.Deletes++;
                }

                ready = writer.Change(kind, operation.Row, _request.Schema, out var skipped);
                if (skipped)
                {
                    writer.AddUnknownKeys(1);
                    SyncLog.UnknownKeys(_log, writer.Name, 1);
                }

                break;
            default:
                counts.Truncates++;
                ready = writer.Truncate(_request.Schema);
                break;
        }

        _bufferedBytes += writer.BufferedBytes - bytesBefore;   // a batch the operation cut off is no longer buffered
        if (ready is not null)
        {
            await WriteAsync(ready, cancellationToken);
        }

        if (writer.Buffered >= _options.BatchSize || writer.BufferedBytes >= _options.BatchBytes)
        {
            await WriteAsync(Take(writer), cancellationToken);
            await CommitHeldAsync(cancellationToken);   // a held checkpoint waits at most a batch
        }
        else if (_bufferedBytes > 2 * _options.BatchBytes || _operations % BufferCheckInterval == 0)
        {
            await BoundBufferedAsync(cancellationToken);
        }

        return false;
    }

    // Every table buffers up to a batch; across many tables the total is held to two batches, in rows and in bytes, by
    // writing the largest.
    private async Task BoundBufferedAsync(CancellationToken cancellationToken)
    {
        while (_tables.Count > 1 && (_bufferedBytes > 2 * _options.BatchBytes || _tables.Values.Sum(t => t.Buffered) > 2L * _options.BatchSize))
        {
            await WriteAsync(Take(_tables.Values.MaxBy(t => t.BufferedBytes)!), cancellationToken);
        }
    }

    // The table's pending batch, no longer counted as buffered.
    private WriteBatch? Take(TableWriter writer)
    {
        _bufferedBytes -= writer.BufferedBytes;
        return writer.TakeBatch(_request.Schema);
    }

    // The state's size in bytes, once it is checked: within the limit, and holding no secret.
    private int CheckState(JsonObject state)
    {
        var bytes = Encoding.UTF8.GetByteCount(state.ToJsonString());
        if (bytes > _options.MaxStateBytes)
        {
            throw new SyncException($"The checkpointed state is {bytes:N0} bytes; the limit is {_options.MaxStateBytes:N0}. Keep cursors in state, not data.");
        }

        if (_secretValues.FindIn(state) is { } secret)
        {
            throw new SyncException($"The checkpointed state holds the value of secret '{secret}'; state is not encrypted, never put secrets in it.");
        }

        return bytes;
    }

    private async Task CommitHeldAsync(CancellationToken cancellationToken)
    {
        if (_held is { } held)
        {
            _held = null;
            await CommitAsync(held, cancellationToken);
        }
    }

    // Writes every table's pending rows, then hands the writer the state to save once they are committed.
    private async Task CommitAsync(Held checkpoint, CancellationToken cancellationToken)
    {
        await FlushAllAsync(cancellationToken);
        var record = checkpoint.SaveRecord ? Snapshot() : null;   // the counts of what this checkpoint covers
        await _writer.ThenAsync(token => SaveAsync(checkpoint, record, token), cancellationToken);
    }

    // On the writer, after the rows before the checkpoint are committed: saves its state, then the run record as of it,
    // when the checkpoint took one.
    private async Task SaveAsync(Held checkpoint, RunRecord? record, CancellationToken cancellationToken)
    {
        var (state, bytes) = (checkpoint.State, checkpoint.Bytes);
        _lease!.ThrowIfLost();
        var saved = await _store.WriteAsync(_request.Connection, state, _stateVersion, _lease.Epoch, cancellationToken);
        _stateVersion = saved.Version;
        lock (_record)
        {
            _record.Checkpoints += checkpoint.Covers;
            _record.LastCheckpointAt = saved.SavedAt;
            _record.StateBytes = bytes;
        }

        SyncLog.Checkpointed(_log, _request.Connection, saved.Version!, bytes);
        if (record is not null)
        {
            record.Checkpoints = _record.Checkpoints;
            record.LastCheckpointAt = saved.SavedAt;
            record.StateBytes = bytes;
            record.SchemaChanges = _writer.SchemaChanges;
            await _recordStarted;
            await _store.SaveRunAsync(record, cancellationToken);
        }
    }

    private async Task FlushAllAsync(CancellationToken cancellationToken)
    {
        foreach (var writer in _tables.Values)
        {
            if (Take(writer) is { } batch)
            {
                await WriteAsync(batch, cancellationToken);
            }
        }
    }

    // Hands a batch to the writer; waits while the writer still holds the previous one (back-pressure).
    private async Task WriteAsync(WriteBatch? batch, CancellationToken cancellationToken)
    {
        if (batch is not null)
        {
            await _writer.WriteAsync(batch, _tables[batch.Table.Name], cancellationToken);
        }
    }

    private async Task WriteBatchesAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _writer.RunAsync(_lease!, () => _request.Progress?.Report(Snapshot()), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await FailAsync(ex);
            throw;
        }
    }

    // Records the root cause once and stops everything else: the connector's next call, the consumer, the writer.
    private async Task FailAsync(Exception failure)
    {
        Interlocked.CompareExchange(ref _failure, failure, null);
        _queue.Complete(failure);
        _writer.Complete(failure);
        await _stop.CancelAsync();
    }

    // Stops the connector and the consumer; the writer ends once it has committed what it holds (see RunAsync).
    private async Task StopAsync(Task? consumer, Task? writer)
    {
        await _stop.CancelAsync();
        await EndedAsync(consumer);
        _writer.Complete();
        await EndedAsync(writer);

        static async Task EndedAsync(Task? task)
        {
            if (task is not null)
            {
                await task.ContinueWith(static _ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task FailIfNeverCheckpointsAsync(CancellationToken cancellationToken)
    {
        var stops = 1;
        await foreach (var run in _store.ListRunsAsync(_request.Connection, cancellationToken))
        {
            if (run.Id == _record.Id)
            {
                continue;
            }

            if (run.Outcome != RunOutcome.TimedOut || stops >= _options.MaxRunsWithoutCheckpoint)
            {
                break;
            }

            stops++;
        }

        if (stops >= _options.MaxRunsWithoutCheckpoint)
        {
            _record.Outcome = RunOutcome.Failed;
            _record.ErrorKind = RunErrorKind.Fatal;
            _record.Error = $"Connection '{_request.Connection}' reached no checkpoint within its time budget in {stops} consecutive runs; checkpoint more often.";
        }
    }

    private TableWriter Writer(string sourceName)
    {
        if (ReferenceEquals(sourceName, _lastTable?.Source))
        {
            return _lastTable.Value.Writer;   // most runs write long stretches to one table
        }

        var name = _tableNames[sourceName];
        if (!_tables.TryGetValue(name, out var writer))
        {
            _declared.TryGetValue(name, out var declaration);
            _existing.TryGetValue(name, out var existing);
            writer = new TableWriter(sourceName, name, declaration, existing, _options.SystemColumns, _time) { Counts = Counts(name) };
            _tables.Add(name, writer);
        }

        _lastTable = (sourceName, writer);
        return writer;
    }

    private string TableName(string table)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(table);
        ClaimTable(table);
        return table;
    }

    // Normalises a table name once; two source names for one destination table are an error.
    private string ClaimTable(string source)
    {
        if (_tableNames.TryGetValue(source, out var known))
        {
            return known;
        }

        if (_secretValues.Find(source) is { } secret)
        {
            // A table's name is in the destination and in run records, which are not encrypted; the message leaves it out.
            throw new SyncException($"A table name holds the value of secret '{secret}'; never name tables after secrets.");
        }

        var name = Names.Normalize(source);
        lock (_tableNames)
        {
            foreach (var (otherSource, otherName) in _tableNames)
        {
                if (otherName == name && otherSource != source)
                {
                    throw new SyncException($"Tables '{otherSource}' and '{source}' both normalise to '{name}'; rename one.");
                }
            }

            _tableNames[source] = name;
            return name;
        }
    }

    private TableCounts Counts(string table)
    {
        lock (_record)
        {
            if (!_record.Tables.TryGetValue(table, out var counts))
            {
                _record.Tables[table] = counts = new TableCounts();
            }

            return counts;
        }
    }

    private RunRecord Snapshot()
    {
        lock (_record)
        {
            var copy = _record.Copy();
            copy.SchemaChanges = _writer.SchemaChanges;
            return copy;
        }
    }

    private static string Describe(Exception ex)
    {
        var root = ex is ChannelClosedException { InnerException: { } inner } ? inner : ex;
        return root switch
        {
            SyncException or ConfigurationException or SourceUnavailableException or StateConflictException => root.Message,
            _ => $"{root.Message} ({root.GetType().Name})",
        };
    }

    private static object Required(object row) => row ?? throw new ArgumentNullException(nameof(row));

    /// <summary>A checked checkpoint waiting to be committed; <paramref name="Covers"/> counts it and those it replaced.</summary>
    private sealed record Held(JsonObject State, int Bytes, bool SaveRecord, int Covers);
}
