using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tributary.Runtime.Secrets;
using Tributary.Runtime.State;
using Tributary.Runtime.Tests.Support;

namespace Tributary.Runtime.Tests.Engine;

/// <summary>
/// Secrets are found in state by its values, not its JSON text: characters a JSON encoder escapes (<c>+</c>, <c>&lt;</c>,
/// <c>&amp;</c>, <c>'</c>, anything non-ASCII) hide nothing. Run records and their errors mask every form of a secret.
/// </summary>
public sealed class SyncRunnerSecretScanTests
{
    private const string Expected = "The checkpointed state holds the value of secret 'api_token'; state is not encrypted, never put secrets in it.";

    public static TheoryData<string, string> SecretsInState()
    {
        string[] secrets =
        [
            "tok+SECRET+7f3a/9c==",   // base64: the encoder writes + as \u002B
            "tok<SECRET>7f3a",
            "tok&SECRET&7f3a",
            "tok'SECRET'7f3a",
            "tök-SËCRÉT-7f3a",
            "tok-秘密-7f3a",
            "tok-🔑-7f3a",
        ];
        var data = new TheoryData<string, string>();
        foreach (var secret in secrets)
        {
            foreach (var placement in new[] { "value", "nested", "array", "property name" })
            {
                data.Add(secret, placement);
            }
        }

        return data;
    }

    private static JsonObject StateWith(string secret, string placement) => placement switch
    {
        "value" => new JsonObject { ["cursor"] = 2, ["auth"] = $"Bearer {secret}" },
        "nested" => new JsonObject { ["cursor"] = 2, ["pages"] = new JsonObject { ["next"] = new JsonObject { ["token"] = secret } } },
        "array" => new JsonObject { ["cursor"] = 2, ["tokens"] = new JsonArray("a", new JsonArray(1, secret)) },
        "property name" => new JsonObject { ["cursor"] = 2, ["seen"] = new JsonObject { [secret] = true } },
        _ => throw new ArgumentOutOfRangeException(nameof(placement), placement, null),
    };

    private static async Task<EngineHarness> HarnessWithSecretAsync(string secret)
    {
        var harness = new EngineHarness();
        var secrets = new JsonObject { [EngineHarness.Connector] = new JsonObject { ["api_token"] = secret } };
        await File.WriteAllTextAsync(Path.Combine(harness.Root, "secrets.json"), secrets.ToJsonString());
        harness.Secrets = new LocalSecretStore(harness.Root);
        await harness.FileStore.WriteAsync(EngineHarness.Connector, new JsonObject { ["cursor"] = 1 }, null, CancellationToken.None);
        return harness;
    }

    /// <summary>Every form a secret could take in a saved file: as is, and as each JSON encoder would write it.</summary>
    private static string[] Forms(string secret) =>
    [
        secret,
        JsonEncodedText.Encode(secret).ToString(),
        JsonEncodedText.Encode(secret, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString(),
        Uri.EscapeDataString(secret),
    ];

    private static void AssertNoFileHolds(EngineHarness harness, string secret)
    {
        var files = Directory.EnumerateFiles(Path.Combine(harness.Root, "connectors"), "*", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            Assert.All(Forms(secret), form => Assert.DoesNotContain(form, text, StringComparison.Ordinal));
        }
    }

    private static async Task AssertStateUnchangedAsync(EngineHarness harness)
    {
        var state = await harness.ReadStateAsync();
        Assert.Equal("1", state.Version);
        RunAssert.JsonEqual("""{"cursor":1}""", state.State);
        var history = new List<StateSnapshot>();
        await foreach (var snapshot in harness.FileStore.HistoryAsync(EngineHarness.Connector, CancellationToken.None))
        {
            history.Add(snapshot);
        }

        var only = Assert.Single(history);
        RunAssert.JsonEqual("""{"cursor":1}""", only.State);
    }

    [Theory]
    [MemberData(nameof(SecretsInState))]
    public async Task CheckpointAsync_SecretWithEscapedCharactersInState_FailsAndStateFileAndHistoryUnchanged(string secret, string placement)
    {
        await using var harness = await HarnessWithSecretAsync(secret);

        var run = await harness.RunAsync(async (context, ct) =>
        {
            var token = await context.GetSecretAsync("api_token", ct);
            await context.CheckpointAsync(StateWith(token, placement), ct);
        });

        Assert.Equal(Expected, RunAssert.Failed(run));
        Assert.Equal(0, run.Checkpoints);
        await AssertStateUnchangedAsync(harness);
        AssertNoFileHolds(harness, secret);
    }

    [Theory]
    [InlineData("4815162342")]
    [InlineData("48151623.42")]
    public async Task CheckpointAsync_SecretAsJsonNumber_Fails(string secret)
    {
        await using var harness = await HarnessWithSecretAsync(secret);

        var run = await harness.RunAsync(async (context, ct) =>
        {
            var token = await context.GetSecretAsync("api_token", ct);
            await context.CheckpointAsync(new JsonObject { ["pin"] = JsonNode.Parse(token) }, ct);
        });

        Assert.Equal(Expected, RunAssert.Failed(run));
        await AssertStateUnchangedAsync(harness);
    }

    [Fact]
    public async Task CheckpointAsync_SecretInsideStateObjectOfAnotherType_Fails()
    {
        const string Secret = "tok+SECRET+7f3a";
        await using var harness = await HarnessWithSecretAsync(Secret);

        var run = await harness.RunAsync(async (context, ct) =>
        {
            var token = await context.GetSecretAsync("api_token", ct);
            // A JsonValue wrapping a .NET object: its text exists only when serialised.
            await context.CheckpointAsync(new JsonObject { ["session"] = JsonValue.Create(new Session(token)) }, ct);
        });

        Assert.Equal(Expected, RunAssert.Failed(run));
        await AssertStateUnchangedAsync(harness);
    }

    [Theory]
    [InlineData("uri")]
    [InlineData("json")]
    public async Task CheckpointAsync_SecretEncodedInsideAStateString_Fails(string encoding)
    {
        const string Secret = "tok+SECRET/7f3a=";
        await using var harness = await HarnessWithSecretAsync(Secret);

        var run = await harness.RunAsync(async (context, ct) =>
        {
            var token = await context.GetSecretAsync("api_token", ct);
            var text = encoding == "uri"
                ? $"https://api.example.com/items?key={Uri.EscapeDataString(token)}"
                : new JsonObject { ["token"] = token }.ToJsonString();
            await context.CheckpointAsync(new JsonObject { ["next"] = text }, ct);
        });

        Assert.Equal(Expected, RunAssert.Failed(run));
        await AssertStateUnchangedAsync(harness);
    }

    [Fact]
    public async Task CheckpointAsync_ShortValueOrOtherText_Saved()
    {
        await using var harness = await HarnessWithSecretAsync("tok+SECRET+7f3a");

        var run = await harness.RunAsync(async (context, ct) =>
        {
            await context.GetSecretAsync("api_token", ct);
            await context.CheckpointAsync(new JsonObject { ["cursor"] = "tok+SECRET", ["n"] = 7, ["ok"] = true }, ct);
        });

        RunAssert.Succeeded(run);
        RunAssert.JsonEqual("""{"cursor":"tok+SECRET","n":7,"ok":true}""", (await harness.ReadStateAsync()).State);
    }

    [Theory]
    [InlineData("tok+SECRET+7f3a/9c==")]
    [InlineData("tok<SECRET>&'7f3a")]
    [InlineData("tök-秘密-🔑")]
    public async Task RunAsync_ErrorHoldsSecretInAnyForm_RunRecordMasksEvery(string secret)
    {
        await using var harness = await HarnessWithSecretAsync(secret);

        var run = await harness.RunAsync(async (context, ct) =>
        {
            var token = await context.GetSecretAsync("api_token", ct);
            throw new InvalidOperationException(
                $"401 from https://api.example.com?key={Uri.EscapeDataString(token)}; body {new JsonObject { ["token"] = token }.ToJsonString()}; raw {token}");
        });

        var error = RunAssert.Failed(run);
        Assert.All(Forms(secret), form => Assert.DoesNotContain(form, error, StringComparison.Ordinal));
        Assert.Contains("key=***; body {\"token\":\"***\"}; raw ***", error, StringComparison.Ordinal);
        AssertNoFileHolds(harness, secret);
    }

    [Fact]
    public async Task UpsertAsync_TableNamedAfterSecret_FailsWithoutNamingIt()
    {
        const string Secret = "Tok+Secret+7f3a";
        await using var harness = await HarnessWithSecretAsync(Secret);

        var run = await harness.RunAsync(async (context, ct) =>
        {
            var token = await context.GetSecretAsync("api_token", ct);
            await context.UpsertAsync($"cache_{token}", new { id = 1 }, ct);
        });

        Assert.Equal("A table name holds the value of secret 'api_token'; never name tables after secrets.", RunAssert.Failed(run));
        Assert.Empty(run.Tables);
        Assert.Empty(await harness.Destination.GetTablesAsync(EngineHarness.Connector, CancellationToken.None));
        AssertNoFileHolds(harness, Secret);
    }

    private sealed record Session(string Token);
}
