using Tributary.Cli.Tests.Support;
using Tributary.Testing;
using Xunit;

namespace Tributary.Cli.Tests.Commands;

/// <summary><c>--state-store blob</c>: state, history and run records in Azure Blob Storage (a real Azurite), shared with the Functions host.</summary>
public sealed class BlobStateStoreTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Debug_BlobStateStore_KeepsStateHistoryAndRunsInBlobStorage()
    {
        string[] blob = ["--state-store", "blob", "--state-connection-string", azurite.ConnectionString];

        Assert.Equal(0, (await _cli.RunAsync(["debug", "simple_three_step_cursor", .. blob])).ExitCode);
        _cli.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, (await _cli.RunAsync(["debug", "simple_three_step_cursor", .. blob])).ExitCode);

        var show = await _cli.RunAsync(["state", "show", "simple_three_step_cursor", .. blob]);
        Assert.Contains("version 2", show.Output, StringComparison.Ordinal);
        Assert.Contains("\"cursor\": 2", show.Output, StringComparison.Ordinal);
        Assert.Equal(2, (await _cli.RunAsync(["state", "history", "simple_three_step_cursor", .. blob])).Output.Trim().Split('\n').Length);
        Assert.Equal(2, (await _cli.RunAsync(["runs", "simple_three_step_cursor", .. blob])).Output.Split('\n').Count(l => l.Contains(" Succeeded ", StringComparison.Ordinal)));
        Assert.False(Directory.Exists(Path.Combine(_cli.Files, "connectors")), "state must not also be written to local files");
        Assert.Equal(2, (await _cli.Warehouse.QueryAsync("SELECT * FROM simple_three_step_cursor.hello_world", CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Debug_BlobStateStoreMalformedConnectionString_FailsWithOneLine()
    {
        var result = await _cli.RunAsync("debug", "hello", "--state-store", "blob", "--state-connection-string", "not a connection string");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: --state-connection-string is not a storage connection string", result.Error.Trim(), StringComparison.Ordinal);
    }
}
