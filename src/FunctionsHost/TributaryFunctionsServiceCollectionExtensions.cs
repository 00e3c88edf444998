using Azure.Core;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tributary.Azure.Queue;
using Tributary.Azure.Scheduling;
using Tributary.Azure.Secrets;
using Tributary.Azure.State;
using Tributary.Azure.Webhooks;
using Tributary.FunctionsHost.Api;
using Tributary.FunctionsHost.Hosting;
using Tributary.FunctionsHost.Scheduling;
using Tributary.Runtime;
using Tributary.Runtime.Secrets;
using Tributary.Runtime.State;

namespace Tributary.FunctionsHost;

/// <summary>The composition root of the Functions host.</summary>
public static class TributaryFunctionsServiceCollectionExtensions
{
    /// <summary>
    /// Registers what the function classes need, from app settings: the Blob state store and run queue on the
    /// <c>TributaryStorage</c> connection (<c>Tributary__StateStore__BlobServiceUri</c> for the state when set), Key Vault
    /// secrets when <c>Tributary__KeyVaultUri</c> is set (local secrets otherwise), the connections (<c>Connections__&lt;id&gt;__…</c>,
    /// checked at start-up: see <see cref="ConnectionDirectory"/>), the scheduler and the destinations (<c>delta</c> in the container
    /// <c>Tributary__Destination__Delta__Uri</c> names, a container of the storage account (<c>Tributary__Destination__Delta__Container</c>)
    /// or the local folder <c>files/lake</c>; <c>duckdb</c>, refused on Azure unless
    /// <c>Tributary__Destination__DuckDb__AllowEphemeral=true</c>; and <c>postgres</c> from <c>Tributary__Destination__Postgres__*</c>;
    /// the Azure ones signed in with the credential below),
    /// and the run budget from host.json's <c>functionTimeout</c>. The one <see cref="TokenCredential"/> is a
    /// <see cref="DefaultAzureCredential"/> for the app's managed identity, made only when a connection needs it; register
    /// another <see cref="TokenCredential"/> first to replace it; likewise a <see cref="BlobServiceClient"/> keyed <c>TributaryStorage</c>
    /// replaces the storage account's.
    /// </summary>
    /// <param name="services">The Functions application's services.</param>
    /// <param name="configuration">The app settings.</param>
    public static IServiceCollection AddTributaryFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<TributaryHostOptions>()
            .Bind(configuration.GetSection(TributaryHostOptions.Section))
            .Validate(static options =>
            {
                options.Validate();
                return true;
            })
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TokenCredential>(_ => new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = configuration[$"{StorageConnection.Name}:clientId"] ?? configuration["AZURE_CLIENT_ID"],
        }));
        // Every connector assembly the host references: the examples, and any connector project a fork adds.
        services.TryAddSingleton(_ => ConnectorCatalog.FromApplication());
        services.TryAddSingleton(_ =>
        {
            var runner = configuration.GetSection("Tributary:Runner").Get<SyncRunnerOptions>() ?? new SyncRunnerOptions();
            runner.IsTransient ??= AzureErrors.IsTransient;   // storage 5xx and timeouts are transient in run records
            return runner;
        });
        services.AddHttpClient(SyncRunner.HttpClientName).AddStandardResilienceHandler();

        // The TributaryStorage account's blob service: state, schedule markers, webhook deliveries (and a lake container, if set).
        services.TryAddKeyedSingleton(StorageConnection.Name, (provider, _) => StorageConnection.CreateBlobServiceClient(
            configuration, provider.GetRequiredService<IOptions<TributaryHostOptions>>().Value.StateStore.BlobServiceUri, provider.GetRequiredService<TokenCredential>));
        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<TributaryHostOptions>>().Value;
            var blobs = provider.GetRequiredKeyedService<BlobServiceClient>(StorageConnection.Name);
            return new BlobStateStore(
                blobs,
                new BlobStateStoreOptions { ContainerName = options.StateStore.ContainerName, Retention = options.StateStore.Retention },
                provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<ILogger<BlobStateStore>>());
        });
        services.TryAddSingleton<IStateStore>(provider => provider.GetRequiredService<BlobStateStore>());
        services.TryAddSingleton(provider =>
            new RunQueue(StorageConnection.CreateRunQueueClient(configuration, provider.GetRequiredService<TokenCredential>)));

        services.TryAddSingleton<ISecretStore>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<TributaryHostOptions>>().Value;
            return options.KeyVaultUri is { } vault
                ? new KeyVaultSecretStore(new SecretClient(vault, provider.GetRequiredService<TokenCredential>()), provider.GetRequiredService<ILogger<KeyVaultSecretStore>>())
                : new LocalSecretStore(options.Files);
        });

        services.TryAddSingleton(_ => HostPlatform.FromConfiguration(configuration));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDestinationProvider, DeltaDestinationProvider>(provider => new DeltaDestinationProvider(
            provider.GetRequiredService<IOptions<TributaryHostOptions>>(),
            provider.GetRequiredService<TokenCredential>,
            () => provider.GetRequiredKeyedService<BlobServiceClient>(StorageConnection.Name),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILoggerFactory>())));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDestinationProvider, DuckDbDestinationProvider>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDestinationProvider, PostgresDestinationProvider>(provider => new PostgresDestinationProvider(
            provider.GetRequiredService<IOptions<TributaryHostOptions>>(),
            provider.GetRequiredService<TokenCredential>,
            provider.GetRequiredService<ILoggerFactory>())));
        services.TryAddSingleton<DestinationFactory>();
        services.TryAddSingleton(provider => new ConnectionDirectory(provider.GetRequiredService<ConnectorCatalog>(), configuration));
        services.AddOptions<ConnectionsCheck>()
            .Validate<ConnectionDirectory>(static (_, connections) => connections is not null)   // reading them throws on a mistake
            .ValidateOnStart();
        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<TributaryHostOptions>>().Value;
            var blobs = provider.GetRequiredKeyedService<BlobServiceClient>(StorageConnection.Name);
            return new BlobScheduleMarkers(blobs, options.StateStore.ContainerName);
        });
        services.TryAddSingleton<IConnectorRunFactory, HostRunFactory>();
        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<TributaryHostOptions>>().Value;
            return FunctionBudget.FromHostJson(Path.Combine(AppContext.BaseDirectory, "host.json"), options.TimeoutMargin);
        });
        services.TryAddSingleton(provider => new QueuedSyncProcessor(
            provider.GetRequiredService<IConnectorRunFactory>(),
            provider.GetRequiredService<RunQueue>(),
            provider.GetRequiredService<QueuedSyncOptions>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<QueuedSyncProcessor>>(),
            provider.GetRequiredService<BlobStateStore>()));
        services.TryAddSingleton(provider => new PoisonedRunRecorder(
            provider.GetRequiredService<IStateStore>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<PoisonedRunRecorder>>()));

        services.TryAddSingleton<IWebhookHandler, ConnectorWebhookHandler>();
        services.TryAddSingleton<WebhookSecrets>();
        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<TributaryHostOptions>>().Value;
            var blobs = provider.GetRequiredKeyedService<BlobServiceClient>(StorageConnection.Name);
            return new WebhookDeliveryLog(
                blobs.GetBlobContainerClient(options.StateStore.ContainerName),
                options.Webhooks.Tolerance,
                provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<ILogger<WebhookDeliveryLog>>());
        });
        services.TryAddSingleton<WebhookReceiver>();
        services.TryAddSingleton<ConnectionApi>();
        services.TryAddSingleton<ConnectionScheduler>();
        return services;
    }

    /// <summary>An empty options type whose validation reads the connections at start-up.</summary>
    private sealed class ConnectionsCheck;
}
