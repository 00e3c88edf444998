using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tributary.Runtime.Destinations;
using Tributary.Runtime.Secrets;
using Tributary.Runtime.State;
using Tributary.Sdk;

namespace Tributary.Runtime;

/// <summary>
/// Runs connectors: takes the connector's lease, feeds it its state, writes what it emits to the destination
/// in batches, commits its checkpoints, and leaves a run record. Thread-safe; one instance serves many runs.
/// </summary>
public sealed class SyncRunner
{
    /// <summary>The name of the resilient <see cref="HttpClient"/> connectors get.</summary>
    public const string HttpClientName = "Tributary.Connector";

    private static readonly Lazy<IHttpClientFactory> DefaultHttp = new(() =>
    {
        var services = new ServiceCollection();
        services.AddHttpClient(HttpClientName).AddStandardResilienceHandler();
        return services.BuildServiceProvider().GetRequiredService<IHttpClientFactory>();
    });

    private readonly IDestination _destination;
    private readonly IStateStore _store;
    private readonly ISecretStore _secrets;
    private readonly SyncRunnerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly IHttpClientFactory? _httpClientFactory;

    /// <summary>Creates a runner.</summary>
    /// <param name="destination">Where rows land.</param>
    /// <param name="store">Where state, history, leases and run records live.</param>
    /// <param name="options">Batching and limits; validated here.</param>
    /// <param name="secrets">Connector secrets; default: none (every read fails with a clear message).</param>
    /// <param name="timeProvider">The clock; default <see cref="TimeProvider.System"/>.</param>
    /// <param name="loggerFactory">Logging; default none.</param>
    /// <param name="httpClientFactory">Source of the connectors' <see cref="HttpClient"/> (named <see cref="HttpClientName"/>);
    /// default one with the standard resilience handler.</param>
    public SyncRunner(
        IDestination destination,
        IStateStore store,
        SyncRunnerOptions? options = null,
        ISecretStore? secrets = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IHttpClientFactory? httpClientFactory = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(store);
        _options = options ?? new SyncRunnerOptions();
        _options.Validate();
        _destination = destination;
        _store = store;
        _secrets = secrets ?? NoSecrets.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _httpClientFactory = httpClientFactory;
    }

    /// <summary>
    /// Runs one sync to its end, its pause or its failure and returns its run record (also saved in the store).
    /// A failure of the connector or of its data is reported in the record, not thrown. However the run ends, the connector's
    /// token is cancelled and its task waited for (at most <see cref="SyncRunnerOptions.StopGracePeriod"/>) before the lease
    /// is released; whatever it does after the end — operations, checkpoints, secrets written back — is refused.
    /// </summary>
    /// <exception cref="ConnectorBusyException">Another run of the connector holds its lease; nothing ran.</exception>
    public Task<RunRecord> RunAsync(SyncRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunSessionAsync(request, (context, token) => request.Connector.UpdateAsync(context, token), cancellationToken);
    }

    /// <summary>
    /// Runs the connector's <see cref="Connector.HandleWebhookAsync"/> on a verified delivery exactly as a sync runs its
    /// update: under the connector's lease, its operations batched and committed, its checkpoints saving state, a run record
    /// left. The request's <see cref="SyncRequest.HardDeadline"/> bounds the handler (a host sets it short: the sender waits);
    /// a <see cref="SyncRequest.TimeBudget"/> would pause it at the first checkpoint after the budget, which ends the handler.
    /// A failure of the handler or of its data is reported in the record, not thrown.
    /// </summary>
    /// <param name="request">The connector, its configuration, the trigger to record (a host uses <c>webhook</c>) and the limits.</param>
    /// <param name="delivery">The verified delivery.</param>
    /// <param name="cancellationToken">Cancelled when the host gives up on the request.</param>
    /// <exception cref="ConnectorBusyException">Another run of the connector holds its lease; the handler did not run.</exception>
    public async Task<WebhookRunResult> HandleWebhookAsync(SyncRequest request, WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(delivery);
        WebhookSession? webhook = null;
        var record = await RunSessionAsync(
            request,
            (context, token) => request.Connector.HandleWebhookAsync(webhook = new WebhookSession(context, delivery), token),
            cancellationToken);
        return new WebhookRunResult(record, webhook?.SyncRequested ?? false);
    }

    // Takes the lease, runs what the connector does with its context (its update or its webhook handler) in a session, and
    // leaves the run record.
    private async Task<RunRecord> RunSessionAsync(SyncRequest request, Func<SyncContext, CancellationToken, Task> produce, CancellationToken cancellationToken)
    {
        await using var owned = request.Lease is null ? await _store.AcquireLeaseAsync(request.Connection, cancellationToken) : null;
        var lease = request.Lease ?? owned!;
        var id = Guid.CreateVersion7(_time.GetUtcNow()).ToString("N");
        var record = new RunRecord
        {
            Id = id,
            SyncId = request.SyncId ?? id,
            Connector = request.Connection,
            Trigger = request.Trigger,
            StartedAt = _time.GetUtcNow(),
            Outcome = RunOutcome.Running,
        };
        // The first save runs beside the run's start: a process's first JSON takes long to prepare, and the connector need
        // not wait for it. Every later save of the record waits for it, so the saves land in order.
        var first = record.Copy();
        var started = Task.Run(() => _store.SaveRunAsync(first, cancellationToken), CancellationToken.None);

        using var session = new SyncSession(
            request, _destination, _store, _secrets, _options, _time, _loggerFactory,
            () => (_httpClientFactory ?? DefaultHttp.Value).CreateClient(HttpClientName),
            record,
            started);
        try
        {
            await session.RunAsync(lease, produce, cancellationToken);   // returns once the connector has stopped or its grace period is over
        }
        finally
        {
            await started;
        }

        record.EndedAt = _time.GetUtcNow();
        await _store.SaveRunAsync(record, CancellationToken.None);
        return record;
    }

    private sealed class NoSecrets : ISecretStore
    {
        public static NoSecrets Instance { get; } = new();

        public ValueTask<string?> GetAsync(string connector, string name, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);

        public ValueTask SetAsync(string connector, string name, string value, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("No secret store is configured for this runner.");
    }
}
