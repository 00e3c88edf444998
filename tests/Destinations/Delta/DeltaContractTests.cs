using Tributary.Runtime.Destinations;
using Tributary.Sdk;
using Tributary.Testing;

namespace Tributary.Destinations.Delta.Tests;

/// <summary>
/// The destination contract suite against Delta tables in a local folder, one fresh lake per test, read back by the
/// independent reader; after each test, every table's log must be valid against the protocol (Tributary's conventions are
/// checked by <see cref="DeltaDestinationTests"/>: here, NaN and infinities have no bounds, as JSON has no number for them).
/// </summary>
public sealed class DeltaContractTests : DestinationContractTests
{
    /// <summary>Half the seeds, the other half in <see cref="DeltaAzuriteContractTests"/>: each takes half a minute on a lake.</summary>
    protected override IReadOnlyList<int> InterleavedSeeds => [1, 2];

    protected override Task<IDestinationTarget> CreateTargetAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IDestinationTarget>(new FolderTarget());

    /// <summary>A lake in its own temporary folder: destinations over it and a reader.</summary>
    internal sealed class FolderTarget : IDestinationTarget
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("tributary-delta-contract-").FullName;
        private readonly List<DeltaDestination> _opened = [];
        private readonly DeltaWarehouseReader _reader;

        public FolderTarget() => _reader = new DeltaWarehouseReader(_folder);

        public string Folder => _folder;

        public WarehouseReader Reader => _reader;

        public IDestination Open()
        {
            var destination = new DeltaDestination(new DeltaDestinationOptions { Folder = _folder });
            _opened.Add(destination);
            return destination;
        }

        public string PhysicalType(ColumnType type) => DeltaTypes.Of(type);

        public async ValueTask DisposeAsync()
        {
            foreach (var destination in _opened)
            {
                await destination.DisposeAsync();
            }

            _reader.Dispose();
            var violations = await DeltaProtocolValidator.ValidateLakeAsync(_folder, DeltaValidationOptions.Protocol, CancellationToken.None);
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
            }

            Assert.True(violations.Count == 0, "The lake breaks the protocol:\n" + string.Join("\n", violations));
        }
    }
}

/// <summary>The Delta type names the reader reports, written out rather than taken from the destination.</summary>
internal static class DeltaTypes
{
    public static string Of(ColumnType type) => type.Type switch
    {
        DataType.Boolean => "boolean",
        DataType.Short => "short",
        DataType.Int => "integer",
        DataType.Long => "long",
        DataType.Decimal => $"decimal({type.Precision},{type.Scale})",
        DataType.Float => "float",
        DataType.Double => "double",
        DataType.NaiveDate => "date",
        DataType.NaiveDateTime => "timestamp_ntz",
        DataType.UtcDateTime => "timestamp",
        DataType.Binary => "binary",
        DataType.Xml or DataType.String or DataType.Json => "string",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
