using Microsoft.Extensions.Logging;
using Tributary.Runtime.Secrets;
using Tributary.Runtime.Tests.Support;

namespace Tributary.Runtime.Tests.Engine;

/// <summary>Secret values never reach state, run records or logs.</summary>
public sealed partial class SyncRunnerSecretTests
{
    private const string Token = "tok-SECRET-7f3a9c";

    private static async Task<EngineHarness> HarnessWithSecretAsync()
    {
        var harness = new EngineHarness();
        await File.WriteAllTextAsync(
            Path.Combine(harness.Root, "secrets.json"),
            $$$"""{"{{{EngineHarness.Connector}}}": {"api_token": "{{{Token}}}"}}""");
        harness.Secrets = new LocalSecretStore(harness.Root);
        return harness;
    }

    [Fact]
    public async Task GetSecretAsync_KnownSecret_ReturnsValue()
    {
        await using var harness = await HarnessWithSecretAsync();
        string? seen = null;

        RunAssert.Succeeded(await harness.RunAsync(async (context, ct) => seen = await context.GetSecretAsync("api_token", ct)));

        Assert.Equal(Token, seen);
    }

    [Fact]
    public async Task GetSecretAsync_UnknownSecret_FailsAsConfigurationError()
    {
        await using var harness = await HarnessWithSecretAsync();

        var run = await harness.RunAsync(async (context, ct) => await context.GetSecretAsync("nope", ct));

        Assert.Equal($"Connection '{EngineHarness.Connector}' has no secret 'nope'.", RunAssert.Failed(run));
    }

    [Fact]
    public async Task CheckpointAsync_StateHoldsSecretValue_FailsAndStateUnchanged()
    {
        await using var harness = await HarnessWithSecretAsync();

        var run = await harness.RunAsync(async (context, ct) =>
        {
            var token = await context.GetSecretAsync("api_token", ct);
            await context.CheckpointAsync(new { auth = $"Bearer {token}" }, ct);
        });

        var error = RunAssert.Failed(run);
        Assert.Contains("api_token", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, error, StringComparison.Ordinal);
        Assert.Null((await harness.ReadStateAsync()).Version);
    }

    [Fact]
    public async Task RunAsync_ConnectorErrorContainsSecret_RunRecordMasksIt()
    {
        await using var harness = await HarnessWithSecretAsync();

        var run = await harness.RunAsync(async (context, ct) =>
        {
            var token = await context.GetSecretAsync("api_token", ct);
            throw new InvalidOperationException($"401 from https://api.example.com?key={token}");
        });

        var error = RunAssert.Failed(run);
        Assert.DoesNotContain(Token, error, StringComparison.Ordinal);
        Assert.Contains("***", error, StringComparison.Ordinal);
        var saved = Assert.Single(await harness.RunsAsync());
        Assert.DoesNotContain(Token, saved.Error, StringComparison.Ordinal);
        var files = Directory.EnumerateFiles(Path.Combine(harness.Root, "connectors"), "*.json", SearchOption.AllDirectories);
        Assert.All(files, f => Assert.DoesNotContain(Token, File.ReadAllText(f), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Logger_MessageOrExceptionWithSecret_MaskedInEveryLogRecord()
    {
        await using var harness = await HarnessWithSecretAsync();

        var run = await harness.RunAsync(async (context, ct) =>
        {
            var token = await context.GetSecretAsync("api_token", ct);
            ConnectorLog.Calling(context.Logger, token);
            ConnectorLog.RequestFailed(context.Logger, token, new InvalidOperationException($"rejected {token}"));
            throw new InvalidOperationException($"giving up on {token}");
        });

        RunAssert.Failed(run);
        var records = harness.Logs.GetSnapshot();
        Assert.Contains(records, r => r.Message.Contains("Calling the API", StringComparison.Ordinal));
        Assert.Contains(records, r => r.Level == LogLevel.Error && r.Exception is not null);
        Assert.All(records, r =>
        {
            Assert.DoesNotContain(Token, r.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(Token, r.Exception?.ToString() ?? string.Empty, StringComparison.Ordinal);
            Assert.DoesNotContain(Token, r.State?.ToString() ?? string.Empty, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task SetSecretAsync_RotatedSecret_WrittenBackAndMaskedInLogs()
    {
        await using var harness = await HarnessWithSecretAsync();
        const string Rotated = "refresh-NEW-55d1e0";

        RunAssert.Succeeded(await harness.RunAsync(async (context, ct) =>
        {
            await context.SetSecretAsync("refresh_token", Rotated, ct);
            ConnectorLog.Rotated(context.Logger, Rotated);
        }));

        Assert.Equal(Rotated, await new LocalSecretStore(harness.Root).GetAsync(EngineHarness.Connector, "refresh_token", CancellationToken.None));
        Assert.All(harness.Logs.GetSnapshot(), r => Assert.DoesNotContain(Rotated, r.Message, StringComparison.Ordinal));
    }

    /// <summary>How a careless connector would log: the secret as a parameter.</summary>
    private static partial class ConnectorLog
    {
        [LoggerMessage(1, LogLevel.Information, "Calling the API with token {Token}")]
        public static partial void Calling(ILogger logger, string token);

        [LoggerMessage(2, LogLevel.Error, "Request failed for {Token}")]
        public static partial void RequestFailed(ILogger logger, string token, Exception exception);

        [LoggerMessage(3, LogLevel.Information, "Rotated to {Token}")]
        public static partial void Rotated(ILogger logger, string token);
    }
}
