using Azure.Core;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tributary.Azure.State;
using Tributary.Azure.Tests.Support;
using Tributary.FunctionsHost.Hosting;

namespace Tributary.FunctionsHost.Tests.Hosting;

/// <summary>Retention and webhook settings are bound from app settings and refused, naming the setting, when out of range.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class HostOptionsValidationTests(AzuriteFixture azurite)
{
    [Fact]
    public void Options_RetentionAndWebhookSettings_AreBoundAnEmptyLimitIsOff()
    {
        using var host = Build(new()
        {
            ["Tributary:StateStore:Retention:RunCount"] = "50",
            ["Tributary:StateStore:Retention:HistoryDays"] = "7",
            ["Tributary:StateStore:Retention:RunDays"] = "",
            ["Tributary:Webhooks:Tolerance"] = "00:02:00",
            ["Tributary:Webhooks:SecretCache:Lifetime"] = "00:01:00",
            ["Tributary:Webhooks:BodyOnlySignatures:legacy_sender"] = "true",
        });

        var options = host.Services.GetRequiredService<IOptions<TributaryHostOptions>>().Value;

        Assert.Equal((50, 7, 100, (int?)null), (options.StateStore.Retention.RunCount, options.StateStore.Retention.HistoryDays, options.StateStore.Retention.HistoryCount, options.StateStore.Retention.RunDays));
        Assert.Equal((TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(1)), (options.Webhooks.Tolerance, options.Webhooks.SecretCache.Lifetime));
        Assert.True(options.Webhooks.AcceptsBodyOnly("legacy_sender"));
        Assert.False(options.Webhooks.AcceptsBodyOnly("hello"));
        Assert.NotNull(host.Services.GetRequiredService<BlobStateStore>());
    }

    [Theory]
    [InlineData("Tributary:StateStore:Retention:RunCount", "0", "Retention.RunCount")]
    [InlineData("Tributary:StateStore:Retention:HistoryDays", "36501", "Retention.HistoryDays")]
    [InlineData("Tributary:Webhooks:Tolerance", "00:00:00", "Webhooks.Tolerance")]
    [InlineData("Tributary:Webhooks:Tolerance", "02:00:00", "Webhooks.Tolerance")]
    [InlineData("Tributary:Webhooks:SecretCache:Lifetime", "00:00:00", "Lifetime")]
    [InlineData("Tributary:Webhooks:BodyOnlySignatures:Not-A-Name", "true", "'Not-A-Name'")]
    public void Options_OutOfRange_ThrowNamingTheSetting(string key, string value, string named)
    {
        using var host = Build(new() { [key] = value });

        var error = Assert.ThrowsAny<ArgumentException>(() => host.Services.GetRequiredService<IOptions<TributaryHostOptions>>().Value);

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    private Microsoft.Extensions.Hosting.IHost Build(Dictionary<string, string?> settings)
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        settings["TributaryStorage"] = azurite.ConnectionString;
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton<TokenCredential>(new StubTokenCredential());
        builder.Services.AddTributaryFunctions(builder.Configuration);
        return builder.Build();
    }
}
