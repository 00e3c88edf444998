using Tributary.Runtime;
using Tributary.Sdk.Testing;
using Xunit;

namespace Tributary.Connectors.Tests;

/// <summary>
/// The examples that read no outside source pass the conformance checks an author's connector gets. Four are left out
/// because their source changes on purpose from one sync to the next, which "two syncs in a row" rightly reports:
/// three_operations and simple_three_step_cursor emit new rows each sync, schema_change a new value type, and time_window
/// the window since its last sync.
/// </summary>
public sealed class SourcelessExamplesConformanceTests
{
    private static readonly ConnectorCatalog Catalog = new(typeof(Tributary.Connectors.Hello.HelloConnector).Assembly);

    [Theory]
    [InlineData("hello")]
    [InlineData("truncate_operation")]
    [InlineData("specified_types")]
    [InlineData("unspecified_types")]
    [InlineData("hashes")]
    [InlineData("base_64_encoding_decoding")]
    [InlineData("multiple_code_files")]
    public async Task Conformance_Passes(string connector)
    {
        await Conformance.CheckAsync(() => Catalog.Create(connector));
    }
}
