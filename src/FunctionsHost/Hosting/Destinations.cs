using Azure.Core;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Tributary.Destinations.Delta;
using Tributary.Destinations.DuckDb;
using Tributary.Destinations.Postgres;
using Tributary.Runtime.Destinations;
using Tributary.Sdk;

namespace Tributary.FunctionsHost.Hosting;

/// <summary>
/// Makes one kind of destination (<c>Connections__&lt;id&gt;__Destination</c> names it). The extension point for more
/// destinations: register another implementation as a singleton. A provider never connects when it creates a destination;
/// the destination opens on its first use.
/// </summary>
internal interface IDestinationProvider
{
    /// <summary>The name settings use, lower case: <c>delta</c>, <c>duckdb</c>, <c>postgres</c>.</summary>
    string Name { get; }

    /// <summary>A destination for one run of connection <paramref name="connection"/>; the run disposes it.</summary>
    IDestination Create(string connection);
}

/// <summary>
/// Delta Lake tables (<c>delta</c>, the default): in the blob container <c>Tributary__Destination__Delta__Uri</c> names, signed in
/// with the host's <see cref="TokenCredential"/> (the managed identity on Azure); or in the container
/// <c>Tributary__Destination__Delta__Container</c> of the <c>TributaryStorage</c> account (Azurite, locally); or without either
/// in the local folder <c>&lt;Tributary:Files&gt;/lake</c>.
/// </summary>
/// <param name="options">The host's settings.</param>
/// <param name="credential">The host's credential, asked for only when a destination in a container is made.</param>
/// <param name="storage">The <c>TributaryStorage</c> account's blob service, asked for only when the lake is one of its containers.</param>
/// <param name="time">The clock of commit and file times.</param>
/// <param name="loggerFactory">Logging for the destination.</param>
internal sealed class DeltaDestinationProvider(
    IOptions<TributaryHostOptions> options, Func<TokenCredential> credential, Func<BlobServiceClient> storage, TimeProvider time, ILoggerFactory loggerFactory)
    : IDestinationProvider
{
    public string Name => "delta";

    public IDestination Create(string connection) =>
        new DeltaDestination(CreateOptions(), loggerFactory.CreateLogger<DeltaDestination>());

    /// <summary>The destination's options: the container, or the local folder.</summary>
    internal DeltaDestinationOptions CreateOptions()
    {
        var settings = options.Value.Destination.Delta;
        if (settings.Uri is { } uri)
        {
            return new DeltaDestinationOptions { Container = new BlobContainerClient(uri, credential()), TimeProvider = time };
        }

        return string.IsNullOrEmpty(settings.Container)
            ? new DeltaDestinationOptions { Folder = Path.Combine(options.Value.Files, "lake"), TimeProvider = time }
            : new DeltaDestinationOptions { Container = storage().GetBlobContainerClient(settings.Container), TimeProvider = time };
    }
}

/// <summary>
/// The local DuckDB warehouse, <c>&lt;Tributary:Files&gt;/warehouse.db</c>: for development. On Azure its file would sit on the
/// instance's temporary disk, lost on a recycle while the connection's state moves on, so there the provider refuses to make
/// one unless <c>Tributary__Destination__DuckDb__AllowEphemeral</c> is <c>true</c> (demos).
/// </summary>
internal sealed class DuckDbDestinationProvider(IOptions<TributaryHostOptions> options, HostPlatform platform, ILoggerFactory loggerFactory) : IDestinationProvider
{
    public string Name => "duckdb";

    /// <exception cref="ConfigurationException">The host runs on Azure and the ephemeral warehouse is not accepted.</exception>
    public IDestination Create(string connection)
    {
        if (platform.IsAzure && !options.Value.Destination.DuckDb.AllowEphemeral)
        {
            throw new ConfigurationException(
                $"Connection '{connection}' writes to DuckDB, whose file on an Azure instance is lost on every recycle: set Connections__{connection}__Destination " +
                "to delta (or postgres), or Tributary__Destination__DuckDb__AllowEphemeral=true to accept an ephemeral warehouse for a demo.");
        }

        return new DuckDbDestination(
            new DuckDbDestinationOptions { DatabasePath = Path.Combine(options.Value.Files, "warehouse.db") },
            loggerFactory.CreateLogger<DuckDbDestination>());
    }
}

/// <summary>
/// Azure Database for PostgreSQL (<c>postgres</c>): a <see cref="PostgresDestination"/> per run on the server the
/// <c>Tributary__Destination__Postgres__Host|Database|Username</c> settings name, with <c>SslMode=Require</c>, signed in with
/// Entra tokens from the host's <see cref="TokenCredential"/> (the managed identity whose name is the username).
/// </summary>
/// <param name="options">The host's settings.</param>
/// <param name="credential">The host's credential, asked for only when a PostgreSQL destination is made.</param>
/// <param name="loggerFactory">Logging for the destination.</param>
internal sealed class PostgresDestinationProvider(IOptions<TributaryHostOptions> options, Func<TokenCredential> credential, ILoggerFactory loggerFactory)
    : IDestinationProvider
{
    public string Name => "postgres";

    /// <exception cref="ConfigurationException">A PostgreSQL setting is missing.</exception>
    public IDestination Create(string connection) =>
        new PostgresDestination(CreateOptions(connection), loggerFactory.CreateLogger<PostgresDestination>());

    /// <summary>The destination's options for connection <paramref name="connection"/>'s runs.</summary>
    /// <exception cref="ConfigurationException">A PostgreSQL setting is missing; the message names every missing one.</exception>
    internal PostgresDestinationOptions CreateOptions(string connection)
    {
        var settings = options.Value.Destination.Postgres;
        string[] missing =
        [
            .. new[] { ("Host", settings.Host), ("Database", settings.Database), ("Username", settings.Username) }
                .Where(static setting => string.IsNullOrWhiteSpace(setting.Item2))
                .Select(static setting => "Tributary__Destination__Postgres__" + setting.Item1),
        ];
        if (missing.Length > 0)
        {
            throw new ConfigurationException(
                $"Connection '{connection}' writes to PostgreSQL (Connections__{connection}__Destination), but {string.Join(", ", missing)} " +
                $"{(missing.Length == 1 ? "is" : "are")} not set. Deploy with PostgreSQL enabled, or name another destination.");
        }

        var connectionString = new NpgsqlConnectionStringBuilder
        {
            Host = settings.Host,
            Database = settings.Database,
            Username = settings.Username,
            SslMode = SslMode.Require,
        };
        return new PostgresDestinationOptions { ConnectionString = connectionString.ConnectionString, Credential = credential() };
    }
}

/// <summary>Picks the destination provider a connection's settings name.</summary>
internal sealed class DestinationFactory(IEnumerable<IDestinationProvider> providers)
{
    private readonly Dictionary<string, IDestinationProvider> _providers = providers.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>A destination of kind <paramref name="kind"/> for connection <paramref name="connection"/>.</summary>
    /// <exception cref="ConfigurationException">This host has no destination of that kind.</exception>
    public IDestination Create(string connection, string kind) => _providers.TryGetValue(kind, out var provider)
        ? provider.Create(connection)
        : throw new ConfigurationException(
            $"Connection '{connection}' names destination '{kind}' (Connections__{connection}__Destination), which this host does not have. " +
            $"Known destinations: {string.Join(", ", _providers.Keys.Order(StringComparer.Ordinal))}.");
}
