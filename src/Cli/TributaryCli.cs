using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Tributary.Cli.Commands;
using Tributary.Cli.Loading;
using Tributary.Runtime;
using Tributary.Runtime.State;
using Tributary.Sdk;

namespace Tributary.Cli;

/// <summary>The <c>tributary</c> command line: <c>list</c>, <c>schema</c>, <c>debug</c>, <c>reset</c>, <c>state</c>, <c>runs</c>.</summary>
internal static class TributaryCli
{
    /// <summary>Parses <paramref name="args"/> and runs the command. Exit code 0 on success, 1 on any failure.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TimeProvider time, CancellationToken cancellationToken = default) =>
        RunAsync(args, output, error, time, ConnectorCatalog.FromApplication(), cancellationToken);

    /// <summary>Runs the command against <paramref name="catalog"/>'s connectors, or those <c>--assembly</c> or <c>--project</c> names.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TimeProvider time, ConnectorCatalog catalog, CancellationToken cancellationToken = default)
    {
        var console = new CliConsole(output, error, time);
        var workspace = new WorkspaceOptions();
        var connectors = new ConnectorSource(catalog);
        var root = new RootCommand("Tributary: run data connectors locally against a DuckDB warehouse, like `fivetran debug`.")
        {
            ListCommand.Create(connectors, console),
            SchemaCommand.Create(connectors, console),
            DebugCommand.Create(connectors, console, workspace),
            ResetCommand.Create(connectors, console, workspace),
            StateCommands.Create(connectors, console, workspace),
            RunsCommand.Create(connectors, console, workspace),
        };
        return root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }
}

/// <summary>Where commands write, and the clock they read.</summary>
internal sealed record CliConsole(TextWriter Out, TextWriter Error, TimeProvider Time);

/// <summary>A problem with what the user asked for: printed as one line, exit code 1.</summary>
internal sealed class CliException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>Options and arguments shared by the commands, so each means the same everywhere.</summary>
internal static class CliOptions
{
    public static Argument<string> Connector() => new("connector") { Description = "The connector's registered name (see `tributary list`)." };

    /// <summary><c>--connection ID</c>: which configured instance of the connector; default the connector's name.</summary>
    public static Option<string?> Connection() => new("--connection")
    {
        Description = "The connection: the id (lower snake case) its state, run records, lease, secrets and warehouse schema are kept under, " +
            "so one connector can have several independent connections. Default: the connector's name.",
    };

    /// <summary>The connection a command works on: <c>--connection</c>, or the connector's name; the connector must exist.</summary>
    /// <exception cref="CliException">The id is not lower snake case.</exception>
    /// <exception cref="KeyNotFoundException">No connector has that name.</exception>
    public static (string Connector, string Connection) Resolve(ParseResult result, ConnectorCatalog catalog, Argument<string> connector, Option<string?> connection)
    {
        var name = result.GetRequiredValue(connector);
        catalog.Create(name);   // an unknown name fails here, before any file is touched
        var id = result.GetValue(connection) ?? name;
        if (!Runtime.Schema.Names.IsSnakeCase(id) || id.Length > MaxConnectionIdLength)
        {
            throw new CliException($"--connection '{id}' is not a connection id: use lower snake case, at most {MaxConnectionIdLength} characters, such as github_acme.");
        }

        return (name, id);
    }

    /// <summary>The longest connection id: PostgreSQL's identifier limit, since the id is the default schema.</summary>
    public const int MaxConnectionIdLength = 63;

    public static Option<FileInfo?> Configuration() => new("--configuration")
    {
        Description = "The connection's configuration: a JSON object of strings.",
    };

    /// <summary>Runs a command body; a <see cref="CliException"/>, an unknown connector or bad local files end as one line and exit code 1.</summary>
    public static Func<ParseResult, CancellationToken, Task<int>> Guarded(CliConsole console, Func<ParseResult, CancellationToken, Task<int>> body) =>
        async (result, cancellationToken) =>
        {
            try
            {
                return await body(result, cancellationToken);
            }
            catch (Exception ex) when (ex is CliException or KeyNotFoundException or InvalidDataException or ConfigurationException or ConnectorBusyException or StateConflictException or SyncException or global::Azure.RequestFailedException)
            {
                await console.Error.WriteLineAsync($"error: {ex.Message}");
                return 1;
            }
        };

    /// <summary>Reads a configuration file: a JSON object whose values are all strings.</summary>
    public static ConnectorConfiguration LoadConfiguration(FileInfo? file)
    {
        if (file is null)
        {
            return ConnectorConfiguration.Empty;
        }

        if (!file.Exists)
        {
            throw new CliException($"Configuration file '{file.FullName}' does not exist.");
        }

        Dictionary<string, JsonElement>? values;
        try
        {
            values = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(file.FullName));
        }
        catch (JsonException ex)
        {
            throw new CliException($"Configuration file '{file.FullName}' is not a JSON object: {ex.Message}", ex);
        }

        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var (key, value) in values ?? throw new CliException($"Configuration file '{file.FullName}' holds null, not a JSON object."))
        {
            if (value.ValueKind != JsonValueKind.String)
            {
                throw new CliException(
                    $"Configuration key '{key}' in '{file.FullName}' is a {value.ValueKind.ToString().ToLowerInvariant()}; configuration values are strings (write \"{value.GetRawText().Trim('"')}\").");
            }

            pairs.Add(new(key, value.GetString()!));
        }

        return new ConnectorConfiguration(pairs);
    }

    /// <summary>Parses a duration: <c>90s</c>, <c>5m</c>, <c>1h</c>, <c>250ms</c>, or <c>hh:mm:ss</c>.</summary>
    public static TimeSpan? ParseDuration(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        text = text.Trim();
        (string Suffix, Func<double, TimeSpan> Make)[] units =
            [("ms", TimeSpan.FromMilliseconds), ("s", TimeSpan.FromSeconds), ("m", TimeSpan.FromMinutes), ("h", TimeSpan.FromHours)];
        foreach (var (suffix, make) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount > 0)
            {
                return make(amount);
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero
            ? span
            : throw new CliException($"'{text}' is not a duration; write it as 90s, 5m, 1h, 250ms or hh:mm:ss.");
    }
}
