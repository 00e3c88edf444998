using Azure.Storage.Blobs;
using Tributary.Runtime.Destinations;
using Tributary.Sdk;
using Tributary.Testing;

namespace Tributary.Destinations.Delta.Tests;

/// <summary>The tests that share one Azurite; xunit needs the collection declared in the test assembly.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}

/// <summary>
/// The destination contract suite against Delta tables in an Azurite blob container, one fresh container per test; after
/// each test, every table's log must be valid against the protocol.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DeltaAzuriteContractTests(AzuriteFixture azurite) : DestinationContractTests
{
    /// <summary>Half the seeds, the other half in <see cref="DeltaContractTests"/>: each takes half a minute on a lake.</summary>
    protected override IReadOnlyList<int> InterleavedSeeds => [3, 4];

    protected override async Task<IDestinationTarget> CreateTargetAsync(CancellationToken cancellationToken)
    {
        var container = azurite.CreateBlobServiceClient().GetBlobContainerClient("lake-" + Guid.NewGuid().ToString("N")[..16]);
        await container.CreateAsync(cancellationToken: cancellationToken);
        return new ContainerTarget(container);
    }

    /// <summary>A lake at the root of its own container: destinations over it and a reader.</summary>
    private sealed class ContainerTarget(BlobContainerClient container) : IDestinationTarget
    {
        private readonly List<DeltaDestination> _opened = [];
        private readonly DeltaWarehouseReader _reader = new(container);

        public WarehouseReader Reader => _reader;

        public IDestination Open()
        {
            var destination = new DeltaDestination(new DeltaDestinationOptions { Container = container });
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

            var violations = await _reader.ValidateAsync(DeltaValidationOptions.Protocol, CancellationToken.None);
            _reader.Dispose();
            await container.DeleteIfExistsAsync();
            Assert.True(violations.Count == 0, "The lake breaks the protocol:\n" + string.Join("\n", violations));
        }
    }
}
