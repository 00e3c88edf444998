using Tributary.Cli.Tests.Support;
using Tributary.Testing;
using Xunit;

namespace Tributary.Cli.Tests.Commands;

/// <summary><c>--destination delta</c>: Delta tables under <c>--lake</c> (default <c>files/lake</c>), read back independently of the writer.</summary>
public sealed class DeltaDestinationTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private string DefaultLake => Path.Combine(_cli.Files, "lake");

    [Fact]
    public async Task Debug_HelloIntoDelta_WritesTheTableUnderFilesLake()
    {
        var result = await _cli.RunAsync("debug", "hello", "--destination", "delta");

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Equal("Sync SUCCEEDED", result.LastLine);
        Assert.Contains($"Warehouse: Delta lake {DefaultLake} (schema hello)", result.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(DefaultLake, "hello", "hello", "_delta_log", "00000000000000000000.json")));
        Assert.False(File.Exists(_cli.Warehouse.DatabasePath));
        using var lake = new DeltaWarehouseReader(DefaultLake);
        var row = Assert.Single(await lake.RowsAsync("SELECT message, _tributary_deleted, _tributary_synced FROM hello.hello", CancellationToken.None));
        Assert.Equal("hello, world!", row[0]);
        Assert.Equal(false, row[1]);
        Assert.Equal(_cli.Time.GetUtcNow(), Assert.IsType<DateTimeOffset>(row[2]).ToUniversalTime());
    }

    [Fact]
    public async Task Reset_HelloInDelta_RemovesTheConnectionsTablesAndState()
    {
        Assert.Equal(0, (await _cli.RunAsync("debug", "hello", "--destination", "delta")).ExitCode);
        Assert.Equal(0, (await _cli.RunAsync("debug", "simple_three_step_cursor", "--destination", "delta")).ExitCode);

        var reset = await _cli.RunAsync("reset", "hello", "--destination", "delta");

        Assert.True(reset.ExitCode == 0, reset.Output + reset.Error);
        Assert.Contains($"hello: schema dropped from Delta lake {DefaultLake} and state deleted", reset.Output, StringComparison.Ordinal);
        using var lake = new DeltaWarehouseReader(DefaultLake);
        Assert.Empty(await lake.TablesAsync("hello", CancellationToken.None));
        Assert.Equal(["hello_world"], await lake.TablesAsync("simple_three_step_cursor", CancellationToken.None));   // another connection's tables stay
        Assert.Contains("hello has no checkpointed state.", (await _cli.RunAsync("state", "show", "hello")).Output, StringComparison.Ordinal);

        // The next sync starts from scratch.
        Assert.Equal(0, (await _cli.RunAsync("debug", "hello", "--destination", "delta")).ExitCode);
        Assert.Single(await lake.RowsAsync("SELECT message FROM hello.hello", CancellationToken.None));
    }

    [Fact]
    public async Task Debug_LakeOption_WritesUnderThatFolder()
    {
        var folder = Path.Combine(_cli.Root, "elsewhere");

        var result = await _cli.RunAsync("debug", "hello", "--destination", "delta", "--lake", folder);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.True(File.Exists(Path.Combine(folder, "hello", "hello", "_delta_log", "00000000000000000000.json")));
        Assert.False(Directory.Exists(DefaultLake));
    }

    [Fact]
    public async Task Debug_LakeWithoutDeltaDestination_FailsNamingBothOptions()
    {
        var result = await _cli.RunAsync("debug", "hello", "--lake", Path.Combine(_cli.Root, "elsewhere"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--lake is the folder of the Delta tables; it needs --destination delta (the destination is duckdb).", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.Warehouse.DatabasePath));
    }
}
