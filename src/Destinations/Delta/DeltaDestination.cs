using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tributary.Runtime.Destinations;
using Tributary.Runtime.Schema;

namespace Tributary.Destinations.Delta;

/// <summary>
/// Writes batches into Delta Lake tables (Parquet data files and a <c>_delta_log</c> of JSON commits) at
/// <c>&lt;root&gt;/&lt;schema&gt;/&lt;table&gt;/</c> in a local folder or a blob container.
/// </summary>
public sealed class DeltaDestination : IDestination
{
    private readonly DeltaDestinationOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates the destination; nothing is opened until the first call.</summary>
    /// <param name="options">The lake (a folder or a container) and file sizes.</param>
    /// <param name="logger">Receives debug-level notes on each batch; none when omitted.</param>
    /// <exception cref="ArgumentException">The options name no lake, or two (see <see cref="DeltaDestinationOptions.Validate"/>).</exception>
    public DeltaDestination(DeltaDestinationOptions options, ILogger<DeltaDestination>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<TableSchema>> GetTablesAsync(string schema, CancellationToken cancellationToken) =>
        throw new NotSupportedException("In progress.");

    /// <inheritdoc />
    public Task<long> WriteAsync(WriteBatch batch, CancellationToken cancellationToken) =>
        throw new NotSupportedException("In progress.");

    /// <inheritdoc />
    public Task DropSchemaAsync(string schema, CancellationToken cancellationToken) =>
        throw new NotSupportedException("In progress.");

    /// <summary>Closes the engine; the lake stays.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
