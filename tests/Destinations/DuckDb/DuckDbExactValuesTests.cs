using Tributary.Testing;

namespace Tributary.Destinations.DuckDb.Tests;

/// <summary>Exact values through the engine into a DuckDB file, one fresh file per test.</summary>
public sealed class DuckDbExactValuesTests : ExactValuesEngineTests
{
    protected override Task<IDestinationTarget> CreateTargetAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IDestinationTarget>(new DuckDbContractTests.DuckDbTarget());
}
