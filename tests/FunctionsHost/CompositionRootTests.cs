using Azure.Core;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Azure.Queue;
using Tributary.Azure.Secrets;
using Tributary.Azure.State;
using Tributary.Azure.Tests.Support;
using Tributary.FunctionsHost.Tests.Support;
using Tributary.Runtime.Secrets;
using Tributary.Runtime.State;

namespace Tributary.FunctionsHost.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class CompositionRootTests(AzuriteFixture azurite)
{
    [Fact]
    public void FunctionsApplication_WithAppSettings_BuildsAndResolvesEveryFunctionClass()
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.ConfigureFunctionsWebApplication();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TributaryStorage"] = azurite.ConnectionString,
            ["Tributary:KeyVaultUri"] = "https://kv-test.vault.azure.net/",
            ["Tributary:Files"] = Path.GetTempPath(),
        });
        builder.Services.AddSingleton<TokenCredential>(new StubTokenCredential());   // never DefaultAzureCredential in tests
        builder.Services.AddTributaryFunctions(builder.Configuration);

        using var host = builder.Build();

        foreach (var type in FunctionsApp.FunctionClasses)
        {
            Assert.NotNull(ActivatorUtilities.CreateInstance(host.Services, type));
        }

        Assert.IsType<KeyVaultSecretStore>(host.Services.GetRequiredService<ISecretStore>());
        Assert.Same(host.Services.GetRequiredService<BlobStateStore>(), host.Services.GetRequiredService<IStateStore>());
        Assert.Equal(RunQueue.DefaultName, host.Services.GetRequiredService<RunQueue>().Name);
        var budget = host.Services.GetRequiredService<QueuedSyncOptions>();
        Assert.Equal((TimeSpan.FromMinutes(24), TimeSpan.FromMinutes(28.5)), (budget.TimeBudget, budget.HardDeadline));
    }

    [Fact]
    public void FunctionsApplication_WithoutKeyVault_UsesLocalSecrets()
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["TributaryStorage"] = azurite.ConnectionString });
        builder.Services.AddSingleton<TokenCredential>(new StubTokenCredential());
        builder.Services.AddTributaryFunctions(builder.Configuration);

        using var host = builder.Build();

        Assert.IsType<LocalSecretStore>(host.Services.GetRequiredService<ISecretStore>());
    }

    [Fact]
    public void FunctionsApplication_NoStorageConnection_FailsNamingTheSettings()
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Services.AddSingleton<TokenCredential>(new StubTokenCredential());
        builder.Services.AddTributaryFunctions(builder.Configuration);
        using var host = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<RunQueue>());

        Assert.Contains("TributaryStorage__queueServiceUri", error.Message, StringComparison.Ordinal);
    }
}
