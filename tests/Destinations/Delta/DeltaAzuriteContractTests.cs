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

/// <summary>The destination contract suite against Delta tables in an Azurite blob container, one fresh container per test.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class DeltaAzuriteContractTests(AzuriteFixture azurite) : DestinationContractTests
{
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

            _reader.Dispose();
            await container.DeleteIfExistsAsync();
        }
    }
}
