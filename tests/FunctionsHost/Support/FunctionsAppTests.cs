namespace Tributary.FunctionsHost.Tests.Support;

/// <summary>
/// Tests against the whole Functions app on the shared Azurite, with a Key Vault fake of their own: both started
/// before each test and stopped after it.
/// </summary>
/// <param name="azurite">The collection's Azurite.</param>
public abstract class FunctionsAppTests(AzuriteFixture azurite) : IAsyncLifetime
{
    protected AzuriteFixture Azurite => azurite;

    protected FakeKeyVault Vault { get; private set; } = null!;

    protected FunctionsApp App { get; private set; } = null!;

    /// <summary>App settings beyond the base ones; none by default.</summary>
    protected virtual IDictionary<string, string?>? Settings => null;

    public async Task InitializeAsync()
    {
        Vault = await FakeKeyVault.StartAsync();
        Seed(Vault);
        App = await FunctionsApp.StartAsync(azurite, FunctionsApp.KeyVault(Vault), Settings);
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Vault.DisposeAsync();
    }

    /// <summary>Puts the secrets the tests need into the vault before the app starts.</summary>
    protected virtual void Seed(FakeKeyVault vault)
    {
    }
}
