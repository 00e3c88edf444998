using Tributary.Cli.Tests.Support;
using Xunit;

namespace Tributary.Cli.Tests.Commands;

/// <summary>Bad input ends with one clear line and exit code 1, and leaves the warehouse and the state as they were.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Runs_LimitBelowOne_FailsNamingTheOption()
    {
        var result = await _cli.RunAsync("runs", "hello", "--limit", "0");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--limit is the number of runs to show, at least 1; got 0.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Debug_MalformedConfigurationJson_FailsNamingTheFile()
    {
        var path = _cli.Configuration("""{"my_key": """);

        var result = await _cli.RunAsync("debug", "configuration", "--configuration", path);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"error: Configuration file '{path}' is not a JSON object", result.Error.Trim(), StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.Warehouse.DatabasePath));
    }

    [Fact]
    public async Task Debug_ConfigurationValueNotAString_FailsNamingTheKey()
    {
        var result = await _cli.RunAsync("debug", "synthetic", "--configuration", _cli.Configuration("""{"rows": 10}"""));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Configuration key 'rows'", result.Error, StringComparison.Ordinal);
        Assert.Contains("configuration values are strings", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Debug_MissingConfigurationKey_FailsNamingTheKey()
    {
        var result = await _cli.RunAsync("debug", "configuration", "--configuration", _cli.Configuration("{}"));

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("Sync FAILED: ", result.LastLine, StringComparison.Ordinal);
        Assert.Contains("my_key", result.LastLine, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.StatePath("configuration")));
    }

    [Fact]
    public async Task Debug_UnknownConnector_FailsListingTheKnownOnes()
    {
        var result = await _cli.RunAsync("debug", "no_such_connector");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: Unknown connector 'no_such_connector'. Known connectors: ", result.Error.Trim(), StringComparison.Ordinal);
        Assert.Contains("hello", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_cli.Files));
    }

    [Fact]
    public async Task Debug_ValueNotCoercible_FailsNamingTableColumnKeyAndValue()
    {
        Assert.Equal(0, (await _cli.RunAsync("debug", "bad_value")).ExitCode);
        var before = await _cli.FingerprintAsync("bad_value", "items");

        var result = await _cli.RunAsync("debug", "bad_value", "--configuration", _cli.Configuration("""{"bad": "true"}"""));

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("Sync FAILED: Table 'items', column 'amount', key (id=3): value 'twelve' cannot be converted to DECIMAL(10,2)", result.LastLine, StringComparison.Ordinal);
        Assert.Equal(before, await _cli.FingerprintAsync("bad_value", "items"));
    }

    [Theory]
    [InlineData("update")]
    [InlineData("delete")]
    public async Task Debug_OperationWithoutFullKey_FailsNamingTheMissingColumn(string operation)
    {
        Assert.Equal(0, (await _cli.RunAsync("debug", "partial_key")).ExitCode);
        var before = await _cli.FingerprintAsync("partial_key", "pairs");

        var result = await _cli.RunAsync("debug", "partial_key", "--configuration", _cli.Configuration($$"""{"operation": "{{operation}}"}"""));

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"Sync FAILED: Table 'pairs': {operation} is missing primary-key column '{(operation == "update" ? "b" : "a")}'", result.LastLine, StringComparison.Ordinal);
        Assert.Equal(before, await _cli.FingerprintAsync("partial_key", "pairs"));
    }

    [Fact]
    public async Task Debug_StateFileNotJson_FailsNamingTheFileAndKeepsIt()
    {
        Assert.Equal(0, (await _cli.RunAsync("debug", "hello")).ExitCode);
        await File.WriteAllTextAsync(_cli.StatePath("hello"), "this is not json");
        var before = await _cli.FingerprintAsync("hello", "hello");

        var result = await _cli.RunAsync("debug", "hello");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"Sync FAILED: State file '{_cli.StatePath("hello")}' is not valid state JSON", result.LastLine, StringComparison.Ordinal);
        Assert.Equal("this is not json", await File.ReadAllTextAsync(_cli.StatePath("hello")));
        Assert.Equal(before, await _cli.FingerprintAsync("hello", "hello"));
    }

    [Fact]
    public async Task Debug_MaxDurationNotADuration_FailsNamingTheValue()
    {
        var result = await _cli.RunAsync("debug", "hello", "--max-duration", "soon");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: 'soon' is not a duration; write it as 90s, 5m, 1h, 250ms or hh:mm:ss.", result.Error.Trim());
    }
}
