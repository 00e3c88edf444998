using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tributary.Destinations.Delta;
using Tributary.Destinations.DuckDb;
using Tributary.FunctionsHost.Hosting;
using Tributary.Runtime.Destinations;
using Tributary.Sdk;

namespace Tributary.FunctionsHost.Tests.Hosting;

/// <summary>
/// The Delta destination is the default: in the container <c>Tributary__Destination__Delta__Uri</c> names (with the host's
/// credential), or in <c>files/lake</c>. On Azure, DuckDB is refused unless an ephemeral warehouse is accepted.
/// </summary>
public sealed class DeltaDestinationProviderTests : IDisposable
{
    private readonly string _files = Directory.CreateTempSubdirectory("tributary-delta-host-").FullName;

    public void Dispose() => Directory.Delete(_files, recursive: true);

    [Fact]
    public async Task Create_NoDestinationSetting_DeltaInFilesLakeWithoutCredential()
    {
        var asked = 0;
        using var services = Services(new(), () => asked++);

        await using var destination = Create(services, "hello");

        Assert.Equal("delta", services.GetRequiredService<ConnectionDirectory>().Get("hello").Destination);
        Assert.IsType<DeltaDestination>(destination);
        var options = DeltaProvider(services).CreateOptions();
        Assert.Equal((Path.Combine(_files, "lake"), (object?)null), (options.Folder, (object?)options.Container));
        Assert.Equal(0, asked);
    }

    [Fact]
    public async Task Create_DeltaUri_ContainerAtThatUriSignedInWithHostCredential()
    {
        var asked = 0;
        using var services = Services(new() { ["Tributary:Destination:Delta:Uri"] = "https://stlakeabc.blob.core.windows.net/lake" }, () => asked++);

        await using var destination = Create(services, "hello");
        var options = DeltaProvider(services).CreateOptions();

        Assert.IsType<DeltaDestination>(destination);
        Assert.Null(options.Folder);
        Assert.Equal(new Uri("https://stlakeabc.blob.core.windows.net/lake"), options.Container!.Uri);
        Assert.Equal(("stlakeabc", "lake"), (options.Container.AccountName, options.Container.Name));
        Assert.Equal(2, asked);   // once for each set of options made (the destination's, then this test's): no key, no connection string
    }

    [Fact]
    public async Task Create_DeltaContainer_ThatContainerOfTheStorageAccountWithoutCredential()
    {
        var asked = 0;
        using var services = Services(
            new() { ["TributaryStorage"] = "UseDevelopmentStorage=true", ["Tributary:Destination:Delta:Container"] = "lake" }, () => asked++);

        await using var destination = Create(services, "hello");
        var options = DeltaProvider(services).CreateOptions();

        Assert.IsType<DeltaDestination>(destination);
        Assert.Null(options.Folder);
        Assert.Equal(("devstoreaccount1", "lake"), (options.Container!.AccountName, options.Container.Name));
        Assert.Equal(0, asked);   // Azurite's connection string signs the requests
    }

    [Fact]
    public void Options_DeltaUriAndContainer_FailNamingBoth()
    {
        using var services = Services(
            new() { ["Tributary:Destination:Delta:Uri"] = "https://stlakeabc.blob.core.windows.net/lake", ["Tributary:Destination:Delta:Container"] = "lake" }, () => { });

        var error = Assert.ThrowsAny<ArgumentException>(() => services.GetRequiredService<IOptions<TributaryHostOptions>>().Value);

        Assert.Contains("Tributary__Destination__Delta__Uri", error.Message, StringComparison.Ordinal);
        Assert.Contains("Tributary__Destination__Delta__Container", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://stlakeabc.blob.core.windows.net/")]
    [InlineData("ftp://stlakeabc.blob.core.windows.net/lake")]
    public void Options_DeltaUriWithoutContainer_FailNamingTheSetting(string uri)
    {
        using var services = Services(new() { ["Tributary:Destination:Delta:Uri"] = uri }, () => { });

        var error = Assert.ThrowsAny<ArgumentException>(() => services.GetRequiredService<IOptions<TributaryHostOptions>>().Value);

        Assert.Contains("Tributary__Destination__Delta__Uri", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_DuckDbOnAzure_RefusedInOneLineNamingTheSettings()
    {
        using var services = Services(new() { ["Connections:synthetic:Destination"] = "duckdb" }, () => { }, new HostPlatform(IsAzure: true));

        var error = Assert.Throws<ConfigurationException>(() => Create(services, "synthetic"));

        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains("Connections__synthetic__Destination", error.Message, StringComparison.Ordinal);
        Assert.Contains("Tributary__Destination__DuckDb__AllowEphemeral=true", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_files, "warehouse.db")));
    }

    [Fact]
    public async Task Create_DuckDbOnAzureWithEphemeralAccepted_IsDuckDb()
    {
        using var services = Services(
            new() { ["Connections:synthetic:Destination"] = "duckdb", ["Tributary:Destination:DuckDb:AllowEphemeral"] = "true" }, () => { }, new HostPlatform(IsAzure: true));

        await using var destination = Create(services, "synthetic");

        Assert.IsType<DuckDbDestination>(destination);
    }

    [Fact]
    public async Task Create_DuckDbOffAzure_IsDuckDbWithoutTheDemoSetting()
    {
        using var services = Services(new() { ["Connections:synthetic:Destination"] = "duckdb" }, () => { }, new HostPlatform(IsAzure: false));

        await using var destination = Create(services, "synthetic");

        Assert.IsType<DuckDbDestination>(destination);
    }

    [Fact]
    public async Task Create_DeltaAndPostgresOnAzure_AreNotRefused()
    {
        using var services = Services(new() { ["Connections:synthetic:Destination"] = "postgres" }, () => { }, new HostPlatform(IsAzure: true));

        await using var delta = Create(services, "hello");
        await using var postgres = Create(services, "synthetic");

        Assert.IsType<DeltaDestination>(delta);
        Assert.IsNotType<DuckDbDestination>(postgres);
    }

    [Theory]
    [InlineData("WEBSITE_INSTANCE_ID", "5a1b…", true)]
    [InlineData("WEBSITE_SITE_NAME", "func-tributary-abc", true)]
    [InlineData("WEBSITE_SITE_NAME", " ", false)]
    [InlineData("SOMETHING_ELSE", "x", false)]
    public void FromConfiguration_AppServiceSettings_TellAzureFromADevelopersMachine(string name, string value, bool azure)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [name] = value }).Build();

        Assert.Equal(azure, HostPlatform.FromConfiguration(configuration).IsAzure);
    }

    [Fact]
    public void AddTributaryFunctions_WebsiteSettings_RegisterAzurePlatform()
    {
        using var services = Services(new() { ["WEBSITE_INSTANCE_ID"] = "instance-1" }, () => { }, platform: null);

        Assert.True(services.GetRequiredService<HostPlatform>().IsAzure);
    }

    private ServiceProvider Services(Dictionary<string, string?> settings, Action credentialAsked, HostPlatform? platform = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Tributary:Files"] = _files,
            ["Tributary:Destination:Postgres:Host"] = "psql-tributary-abc.postgres.database.azure.com",
            ["Tributary:Destination:Postgres:Database"] = "tributary",
            ["Tributary:Destination:Postgres:Username"] = "id-tributary-abc",
            ["Connections:hello:Connector"] = "hello",
            ["Connections:synthetic:Connector"] = "synthetic",
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        services.AddTransient<TokenCredential>(_ =>
        {
            credentialAsked();
            return new StubTokenCredential();   // never DefaultAzureCredential in tests
        });
        if (platform is not null)
        {
            services.AddSingleton(platform);
        }

        services.AddTributaryFunctions(configuration);
        return services.BuildServiceProvider();
    }

    private static IDestination Create(IServiceProvider services, string connection) =>
        services.GetRequiredService<DestinationFactory>().Create(connection, services.GetRequiredService<ConnectionDirectory>().Get(connection).Destination);

    private static DeltaDestinationProvider DeltaProvider(IServiceProvider services) =>
        services.GetServices<IDestinationProvider>().OfType<DeltaDestinationProvider>().Single();
}
