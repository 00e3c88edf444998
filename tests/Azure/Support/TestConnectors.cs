using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Tributary.Connectors.Synthetic;
using Tributary.Sdk;

namespace Tributary.Azure.Tests.Support;

/// <summary>
/// The real <c>synthetic</c> connector, with a fake clock that moves <paramref name="perCheckpoint"/> at each of its
/// checkpoints: time budgets are spent by checkpoints, not by the speed of the machine.
/// </summary>
public sealed class PacedSyntheticConnector(FakeTimeProvider clock, TimeSpan perCheckpoint) : Connector
{
    private readonly SyntheticConnector _inner = new();

    private void Tick() => clock.Advance(perCheckpoint);

    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) => _inner.Schema(configuration);

    public override Task UpdateAsync(SyncContext context, CancellationToken cancellationToken) =>
        _inner.UpdateAsync(new Context(context, this), cancellationToken);

    private sealed class Context(SyncContext inner, PacedSyntheticConnector owner) : DelegatingSyncContext(inner)
    {
        public override ValueTask CheckpointAsync(object state, CancellationToken cancellationToken = default)
        {
            owner.Tick();
            return base.CheckpointAsync(state, cancellationToken);
        }
    }
}

/// <summary>
/// Tells the test store and the crashing connector that the "process" has died; and the connector how many states the
/// store has saved (a checkpoint call returns before its state is saved).
/// </summary>
public sealed class CrashSwitch
{
    private readonly Channel<bool> _saves = Channel.CreateUnbounded<bool>();
    private volatile bool _crashed;

    public bool Crashed => _crashed;

    public void Crash() => _crashed = true;

    /// <summary>The store saved a state.</summary>
    public void Saved() => _saves.Writer.TryWrite(true);

    /// <summary>Returns once the store has saved <paramref name="count"/> more states.</summary>
    public async Task WaitForSavesAsync(int count, CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            await _saves.Reader.ReadAsync(cancellationToken);
        }
    }
}

/// <summary>
/// The real <c>synthetic</c> connector, whose process "dies" after <paramref name="crashAfterUpserts"/> upserts, once the
/// store has saved its first <paramref name="checkpointsBefore"/> checkpoints.
/// </summary>
public sealed class CrashingSyntheticConnector(CrashSwitch crash, long crashAfterUpserts, int checkpointsBefore) : Connector
{
    private readonly SyntheticConnector _inner = new();
    private long _upserts;

    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) => _inner.Schema(configuration);

    public override Task UpdateAsync(SyncContext context, CancellationToken cancellationToken) =>
        _inner.UpdateAsync(new Context(context, this), cancellationToken);

    private async ValueTask CountAsync(CancellationToken cancellationToken)
    {
        if (++_upserts > crashAfterUpserts)
        {
            await crash.WaitForSavesAsync(checkpointsBefore, cancellationToken);
            crash.Crash();
            throw new InvalidOperationException("Simulated crash: the process died here.");
        }
    }

    private sealed class Context(SyncContext inner, CrashingSyntheticConnector owner) : DelegatingSyncContext(inner)
    {
        public override async ValueTask UpsertAsync(string table, object row, CancellationToken cancellationToken = default)
        {
            await owner.CountAsync(cancellationToken);
            await base.UpsertAsync(table, row, cancellationToken);
        }
    }
}

/// <summary>Writes one row per step, waits for the test at each step, then checkpoints the step and waits until it is saved.</summary>
public sealed class SteppingConnector(int steps, Func<int, Task> onStep) : Connector
{
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) =>
        [new TableDefinition("steps") { PrimaryKey = ["step"] }];

    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var from = context.State["step"]?.GetValue<int>() ?? 0;
        for (var step = from + 1; step <= steps; step++)
        {
            await context.UpsertAsync("steps", new { step }, cancellationToken);
            await onStep(step);
            await context.CheckpointAndWaitAsync(new JsonObject { ["step"] = step }, cancellationToken);   // step n + 1 starts with n saved
        }
    }
}

/// <summary>
/// A careless connector: reads its API key, logs it, rotates it, logs the new one, checkpoints, then fails with an error that
/// quotes the new key (and, when <paramref name="quoteOldValue"/>, the old one). Everything recorded must hide both values.
/// </summary>
public sealed partial class CarelessSecretConnector(string rotatedValue, bool quoteOldValue = false) : Connector
{
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var key = await context.GetSecretAsync("api_key", cancellationToken);
        LogKey(context.Logger, key);
        await context.SetSecretAsync("api_key", rotatedValue, cancellationToken);
        LogKey(context.Logger, rotatedValue);
        await context.UpsertAsync("items", new { id = 1, label = "one" }, cancellationToken);
        await context.CheckpointAsync(new JsonObject { ["cursor"] = 1 }, cancellationToken);
        throw new InvalidOperationException(quoteOldValue ? $"The source refused key {rotatedValue} (was {key})." : $"The source refused key {rotatedValue}.");
    }

    [LoggerMessage(1, LogLevel.Information, "Calling the source with key {Key}")]
    private static partial void LogKey(ILogger logger, string key);
}

/// <summary>Passes every call to another context; tests override the calls they watch.</summary>
public abstract class DelegatingSyncContext(SyncContext inner) : SyncContext
{
    public override ConnectorConfiguration Configuration => inner.Configuration;

    public override JsonObject State => inner.State;

    public override ILogger Logger => inner.Logger;

    public override TimeProvider TimeProvider => inner.TimeProvider;

    public override TimeSpan? RemainingTime => inner.RemainingTime;

    public override HttpClient HttpClient => inner.HttpClient;

    public override ValueTask<string> GetSecretAsync(string name, CancellationToken cancellationToken = default) => inner.GetSecretAsync(name, cancellationToken);

    public override ValueTask SetSecretAsync(string name, string value, CancellationToken cancellationToken = default) => inner.SetSecretAsync(name, value, cancellationToken);

    public override ValueTask UpsertAsync(string table, object row, CancellationToken cancellationToken = default) => inner.UpsertAsync(table, row, cancellationToken);

    public override ValueTask UpdateAsync(string table, object row, CancellationToken cancellationToken = default) => inner.UpdateAsync(table, row, cancellationToken);

    public override ValueTask DeleteAsync(string table, object keys, CancellationToken cancellationToken = default) => inner.DeleteAsync(table, keys, cancellationToken);

    public override ValueTask TruncateAsync(string table, CancellationToken cancellationToken = default) => inner.TruncateAsync(table, cancellationToken);

    public override ValueTask CheckpointAsync(object state, CancellationToken cancellationToken = default) => inner.CheckpointAsync(state, cancellationToken);

    public override ValueTask CheckpointAndWaitAsync(object state, CancellationToken cancellationToken = default) => inner.CheckpointAndWaitAsync(state, cancellationToken);
}
