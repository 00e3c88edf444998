using Tributary.Cli.Tests.Support;
using Tributary.Testing;
using Xunit;

namespace Tributary.Cli.Tests.Commands;

/// <summary><c>--connection ID</c>: a second, independent instance of a connector on the same machine.</summary>
public sealed class ConnectionOptionTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public ConnectionOptionTests()
    {
        Directory.CreateDirectory(_cli.Files);
        File.WriteAllText(
            Path.Combine(_cli.Files, "secrets.json"),
            """{ "github_acme": { "api_key": "acme-key-1" }, "github_globex": { "api_key": "globex-key-1" } }""");
    }

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Debug_TwoConnectionsOfOneConnector_KeepSchemasStateSecretsAndRunsApart()
    {
        var acme = _cli.Configuration("""{ "org": "acme" }""");
        var globex = _cli.Configuration("""{ "org": "globex" }""");

        var first = await _cli.RunAsync("debug", "org_echo", "--connection", "github_acme", "--configuration", acme);
        Assert.Equal(0, first.ExitCode);
        Assert.Contains("(schema github_acme)", first.Output, StringComparison.Ordinal);
        Assert.Equal(0, (await _cli.RunAsync("debug", "org_echo", "--connection", "github_globex", "--configuration", globex)).ExitCode);
        Assert.Equal(0, (await _cli.RunAsync("debug", "org_echo", "--connection", "github_acme", "--configuration", acme)).ExitCode);

        Assert.Equal([("acme", OrgEchoConnector.Hash("acme-key-1"), 2L)], await OrgsAsync("github_acme"));
        Assert.Equal([("globex", OrgEchoConnector.Hash("globex-key-1"), 1L)], await OrgsAsync("github_globex"));
        Assert.Contains("\"runs\": 2", (await _cli.RunAsync("state", "show", "org_echo", "--connection", "github_acme")).Output, StringComparison.Ordinal);
        Assert.Contains("\"org\": \"globex\"", (await _cli.RunAsync("state", "show", "org_echo", "--connection", "github_globex")).Output, StringComparison.Ordinal);
        Assert.Equal(2, RunLines(await _cli.RunAsync("runs", "org_echo", "--connection", "github_acme")));
        Assert.Equal(1, RunLines(await _cli.RunAsync("runs", "org_echo", "--connection", "github_globex")));
        Assert.Contains("org_echo has not run yet.", (await _cli.RunAsync("runs", "org_echo")).Output, StringComparison.Ordinal);   // the default connection is a third

        // Resetting one leaves the other.
        Assert.Equal(0, (await _cli.RunAsync("reset", "org_echo", "--connection", "github_globex")).ExitCode);
        Assert.False(await _cli.Warehouse.TableExistsAsync("github_globex", "orgs", CancellationToken.None));
        Assert.Equal([("acme", OrgEchoConnector.Hash("acme-key-1"), 2L)], await OrgsAsync("github_acme"));
        Assert.True(File.Exists(_cli.StatePath("github_acme")));
    }

    [Fact]
    public async Task Debug_ConfigurationOfAnotherConnection_FailsWithoutTouchingTheFirst()
    {
        Assert.Equal(0, (await _cli.RunAsync("debug", "org_echo", "--connection", "github_acme", "--configuration", _cli.Configuration("""{ "org": "acme" }"""))).ExitCode);
        var before = await _cli.FingerprintAsync("github_acme", "orgs");

        // The same connection run with another org's configuration: the connector sees its own state and refuses.
        var crossed = await _cli.RunAsync("debug", "org_echo", "--connection", "github_acme", "--configuration", _cli.Configuration("""{ "org": "globex" }"""));

        Assert.Equal(1, crossed.ExitCode);
        Assert.Contains("State of org 'acme' reached a run of org 'globex'", crossed.Output, StringComparison.Ordinal);
        Assert.Equal(before, await _cli.FingerprintAsync("github_acme", "orgs"));
    }

    [Theory]
    [InlineData("GitHub")]
    [InlineData("github-acme")]
    public async Task Debug_ConnectionNotSnakeCase_FailsWithOneLine(string id)
    {
        var result = await _cli.RunAsync("debug", "hello", "--connection", id);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: --connection '{id}' is not a connection id: use lower snake case, at most 63 characters, such as github_acme.", result.Error.Trim());
        Assert.False(Directory.Exists(Path.Combine(_cli.Files, "connectors", id)));
    }

    [Fact]
    public async Task Debug_WithoutConnection_UsesTheConnectorsName()
    {
        Assert.Equal(0, (await _cli.RunAsync("debug", "hello")).ExitCode);

        Assert.True(File.Exists(_cli.StatePath("hello")));
        Assert.True(await _cli.Warehouse.TableExistsAsync("hello", "hello", CancellationToken.None));
    }

    private static int RunLines(CliResult result) => result.Output.Split('\n').Count(line => line.Contains("[cli, run ", StringComparison.Ordinal));

    private async Task<List<(string Id, string KeyHash, long Runs)>> OrgsAsync(string schema) =>
        [.. (await _cli.Warehouse.QueryAsync($"SELECT id, key_hash, runs FROM \"{schema}\".orgs ORDER BY id", CancellationToken.None))
            .Select(row => ((string)row["id"]!, (string)row["key_hash"]!, Convert.ToInt64(row["runs"], System.Globalization.CultureInfo.InvariantCulture)))];
}
