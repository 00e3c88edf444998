using System.Collections.Concurrent;
using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tributary.Destinations.Delta;
using Tributary.Destinations.DuckDb;
using Tributary.Destinations.Postgres;
using Tributary.FunctionsHost.Hosting;
using Tributary.Runtime.Destinations;
using Tributary.Sdk;

namespace Tributary.FunctionsHost.Tests.Hosting;

/// <summary>Each connection gets the destination its <c>Connections__&lt;id&gt;__Destination</c> names; PostgreSQL signs in with the host's credential.</summary>
public sealed class DestinationProviderTests
{
    private static readonly Dictionary<string, string?> PostgresSettings = new()
    {
        ["Tributary:Destination:Postgres:Host"] = "psql-tributary-abc.postgres.database.azure.com",
        ["Tributary:Destination:Postgres:Database"] = "tributary",
        ["Tributary:Destination:Postgres:Username"] = "id-tributary-abc",
    };

    [Fact]
    public async Task Create_PerConnectionDestinationSetting_PicksPostgresDuckDbOrDeltaWithoutConnecting()
    {
        var credential = new CountingTokenCredential();
        using var services = Services(credential, new()
        {
            ["Connections:hello:Destination"] = "postgres",
            ["Connections:synthetic:Destination"] = "DuckDB",
        });

        await using var hello = Create(services, "hello");
        await using var synthetic = Create(services, "synthetic");
        await using var errors = Create(services, "errors");

        Assert.IsType<PostgresDestination>(hello);
        Assert.IsType<DuckDbDestination>(synthetic);
        Assert.IsType<DeltaDestination>(errors);   // no setting: the default
        Assert.Empty(credential.Scopes);
    }

    [Fact]
    public void CreateOptions_FromSettings_NamesServerDatabaseIdentityRequiresSslAndUsesHostCredential()
    {
        var credential = new CountingTokenCredential();
        using var services = Services(credential);

        var options = Provider(services).CreateOptions("hello");

        var connection = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        Assert.Equal(
            ("psql-tributary-abc.postgres.database.azure.com", "tributary", "id-tributary-abc", SslMode.Require, null),
            (connection.Host, connection.Database, connection.Username, connection.SslMode, connection.Password));
        Assert.Same(credential, options.Credential);
        Assert.Equal(PostgresDestinationOptions.AzurePostgresScope, options.TokenScope);
    }

    [Fact]
    public void Create_PostgresWithoutSettings_FailsNamingTheMissingSettings()
    {
        using var services = Services(new CountingTokenCredential(), new()
        {
            ["Tributary:Destination:Postgres:Host"] = null,
            ["Tributary:Destination:Postgres:Username"] = "",
            ["Connections:hello:Destination"] = "postgres",
        });

        var error = Assert.Throws<ConfigurationException>(() => Create(services, "hello"));

        Assert.Contains("Connection 'hello' writes to PostgreSQL (Connections__hello__Destination)", error.Message, StringComparison.Ordinal);
        Assert.Contains("Tributary__Destination__Postgres__Host, Tributary__Destination__Postgres__Username are not set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostgresDestination_FirstUse_AsksHostCredentialForAPostgresToken()
    {
        var credential = new CountingTokenCredential();
        using var services = Services(credential, new()
        {
            ["Tributary:Destination:Postgres:Host"] = $"127.0.0.1:{FreePort.Next()}",   // nothing listens: no network, no server
            ["Connections:hello:Destination"] = "postgres",
        });
        await using var destination = Create(services, "hello");

        await Assert.ThrowsAnyAsync<Exception>(() => destination.GetTablesAsync("hello", CancellationToken.None));

        // Npgsql fetches the first token on a timer of its own, which a refused connection does not wait for.
        await credential.Asked.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([PostgresDestinationOptions.AzurePostgresScope], credential.Scopes.Distinct());
    }

    private static ServiceProvider Services(TokenCredential credential, Dictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>(PostgresSettings)
        {
            ["Tributary:Files"] = Path.GetTempPath(),
            ["Connections:hello:Connector"] = "hello",
            ["Connections:synthetic:Connector"] = "synthetic",
            ["Connections:errors:Connector"] = "errors",
        };
        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(credential);   // never DefaultAzureCredential in tests
        services.AddTributaryFunctions(configuration);
        return services.BuildServiceProvider();
    }

    private static IDestination Create(IServiceProvider services, string connection) =>
        services.GetRequiredService<DestinationFactory>().Create(connection, services.GetRequiredService<ConnectionDirectory>().Get(connection).Destination);

    private static PostgresDestinationProvider Provider(IServiceProvider services) =>
        services.GetServices<IDestinationProvider>().OfType<PostgresDestinationProvider>().Single();

    /// <summary>Hands out a fixed token and remembers every scope asked for.</summary>
    private sealed class CountingTokenCredential : TokenCredential
    {
        public ConcurrentQueue<string> Scopes { get; } = new();

        /// <summary>Completed at the first token request.</summary>
        public TaskCompletionSource Asked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            foreach (var scope in requestContext.Scopes)
            {
                Scopes.Enqueue(scope);
            }

            Asked.TrySetResult();

            return new AccessToken("test-token", DateTimeOffset.MaxValue);
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
