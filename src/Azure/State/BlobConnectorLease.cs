using Azure;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;
using Tributary.Runtime.State;

namespace Tributary.Azure.State;

/// <summary>
/// A held blob lease on <c>connectors/&lt;name&gt;/lease</c>. A background loop renews it every
/// <see cref="BlobStateStoreOptions.LeaseRenewalInterval"/> on the injected clock; disposing stops the loop and releases it.
/// The lease counts as lost when the service refuses a renewal (it was broken, or expired and was taken by another run) or
/// when no renewal has succeeded for a whole <see cref="BlobStateStoreOptions.LeaseDuration"/> by the local clock, measured
/// from when the last successful request was sent — so this run stops before committing anything after that point. Its
/// <see cref="Epoch"/> fences what the run still has in flight when it is lost: a later acquisition's larger epoch refuses it.
/// </summary>
internal sealed partial class BlobConnectorLease : IConnectorLease
{
    private readonly string _connector;
    private readonly BlobLeaseClient _client;
    private readonly TimeSpan _duration;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Task _renewals;
    private long _renewedAt;
    private volatile string? _lost;
    private int _idleCount;
    private int _renewalCount;
    private TaskCompletionSource _idleChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    public BlobConnectorLease(string connector, BlobLeaseClient client, BlobStateStoreOptions options, long acquiredAt, long epoch, TimeProvider time, ILogger logger)
    {
        Epoch = epoch;
        _connector = connector;
        _client = client;
        _duration = options.LeaseDuration;
        _interval = options.LeaseRenewalInterval;
        _time = time;
        _logger = logger;
        _renewedAt = acquiredAt;
        _renewals = Task.Run(RenewLoopAsync);
    }

    /// <inheritdoc />
    public long Epoch { get; }

    /// <summary>The lease id on the blob.</summary>
    public string LeaseId => _client.LeaseId;

    /// <summary>Renewals the service accepted.</summary>
    public int RenewalCount => Volatile.Read(ref _renewalCount);

    /// <summary>Why the lease was lost, or <see langword="null"/> while it is held.</summary>
    public string? LostReason => _lost;

    /// <inheritdoc />
    public void ThrowIfLost()
    {
        if (_lost is { } reason)
        {
            throw new ConnectorBusyException($"The lease of connector '{_connector}' was lost ({reason}); this run stops before committing more.");
        }

        var since = _time.GetElapsedTime(Interlocked.Read(ref _renewedAt));
        if (since >= _duration)
        {
            throw new ConnectorBusyException(
                $"The lease of connector '{_connector}' has not been renewed for {since.TotalSeconds:0} seconds and may have expired; this run stops before committing more.");
        }
    }

    /// <summary>
    /// Completes once the renewal loop has been idle — waiting on its timer for the next renewal — <paramref name="count"/>
    /// times: 1 right after the lease is taken, 2 after the first renewal attempt, and so on. Lets a test advance a fake
    /// clock only when the loop's timer is armed.
    /// </summary>
    internal async Task WaitForIdleAsync(int count, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_idleCount >= count)
                {
                    return;
                }

                changed = _idleChanged.Task;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Times the renewal loop has been idle so far (see <see cref="WaitForIdleAsync"/>).</summary>
    internal int IdleCount
    {
        get
        {
            lock (_gate)
            {
                return _idleCount;
            }
        }
    }

    /// <summary>Stops renewing without releasing: what a crashed process leaves behind. The lease expires on its own.</summary>
    internal async Task AbandonAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await StopLoopAsync();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopLoopAsync();
        if (_lost is not null)
        {
            return;
        }

        try
        {
            await _client.ReleaseAsync();
            LogReleased(_logger, _connector);
        }
        catch (RequestFailedException ex)
        {
            // Already expired or taken: nothing of ours to release.
            LogReleaseFailed(_logger, _connector, ex.Status, ex.ErrorCode ?? "unknown");
        }
    }

    private async Task StopLoopAsync()
    {
        await _stop.CancelAsync();
        await _renewals;
        _stop.Dispose();
    }

    private async Task RenewLoopAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            var wait = Task.Delay(_interval, _time, token);   // the timer is armed here, before the loop reports idle
            MarkIdle();
            try
            {
                await wait;
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var sentAt = _time.GetTimestamp();
            try
            {
                await _client.RenewAsync(cancellationToken: token);
                Interlocked.Exchange(ref _renewedAt, sentAt);
                Interlocked.Increment(ref _renewalCount);
                LogRenewed(_logger, _connector);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
            {
                // 409 LeaseIdMismatch / LeaseNotPresent: broken, or expired and taken by another run; 404: the blob is gone.
                _lost = $"the service refused its renewal: {ex.Status} {ex.ErrorCode}";
                LogLost(_logger, _connector, _lost);
                MarkIdle();
                return;
            }
            catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or IOException or TimeoutException or OperationCanceledException)
            {
                // Transient: try again at the next interval; ThrowIfLost stops commits once a whole lease period passed without renewal.
                LogRenewalFailed(_logger, _connector, ex.Message);
            }
        }
    }

    private void MarkIdle()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _idleCount++;
            changed = _idleChanged;
            _idleChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    [LoggerMessage(2110, LogLevel.Trace, "Lease of {Connector} renewed")]
    private static partial void LogRenewed(ILogger logger, string connector);

    [LoggerMessage(2111, LogLevel.Warning, "Lease renewal of {Connector} failed, will retry: {Error}")]
    private static partial void LogRenewalFailed(ILogger logger, string connector, string error);

    [LoggerMessage(2112, LogLevel.Error, "Lease of {Connector} lost: {Reason}; the run stops before its next commit")]
    private static partial void LogLost(ILogger logger, string connector, string reason);

    [LoggerMessage(2113, LogLevel.Debug, "Lease of {Connector} released")]
    private static partial void LogReleased(ILogger logger, string connector);

    [LoggerMessage(2114, LogLevel.Warning, "Lease of {Connector} could not be released ({Status} {ErrorCode}); it expires on its own")]
    private static partial void LogReleaseFailed(ILogger logger, string connector, int status, string errorCode);
}
