using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Tributary.Runtime;
using Tributary.Testing;
using Tributary.Sdk.Testing;

namespace Tributary.Cli.Tests.Support;

/// <summary>Runs the <c>tributary</c> command in-process against a temporary <c>--files</c> folder.</summary>
public sealed class CliHarness : IDisposable
{
    private static readonly ConnectorCatalog Catalog = new(typeof(Tributary.Connectors.Hello.HelloConnector).Assembly, typeof(CliHarness).Assembly, typeof(OrgEchoConnector).Assembly);

    public CliHarness()
    {
        Root = Directory.CreateTempSubdirectory("tributary-cli-").FullName;
        Files = Path.Combine(Root, "files");
        Warehouse = new Warehouse(Path.Combine(Files, "warehouse.db"));
    }

    public string Root { get; }

    public string Files { get; }

    public Warehouse Warehouse { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>Runs one command; <c>--files</c> is added for the commands that take it.</summary>
    public async Task<CliResult> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] withFiles = args.Length > 0 && args[0] is "debug" or "reset" or "runs" or "state" ? [.. args, "--files", Files] : args;
        var exitCode = await TributaryCli.RunAsync(withFiles, output, error, Time, Catalog, CancellationToken.None);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Writes a configuration file and returns its path.</summary>
    public string Configuration(string json)
    {
        var path = Path.Combine(Root, $"configuration-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    public string StatePath(string connector) => Path.Combine(Files, "connectors", connector, "state.json");

    /// <summary>A fingerprint of everything a failed run must leave untouched: the state file and the connector's tables.</summary>
    public async Task<string> FingerprintAsync(string connector, string table)
    {
        var state = File.Exists(StatePath(connector)) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(StatePath(connector)))) : "no state";
        var rows = await Warehouse.TableExistsAsync(connector, table, CancellationToken.None)
            ? string.Join("\n", (await Warehouse.QueryAsync($"SELECT * FROM \"{connector}\".\"{table}\" ORDER BY ALL", CancellationToken.None))
                .Select(r => string.Join("|", r.Select(p => $"{p.Key}={p.Value}"))))
            : "no table";
        return state + "\n" + rows;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public string LastLine => Output.TrimEnd().Split('\n')[^1].Trim();
}
