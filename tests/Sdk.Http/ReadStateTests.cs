using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Tributary.Sdk.Http.Tests.Support;

namespace Tributary.Sdk.Http.Tests;

/// <summary><see cref="SyncContext.ReadState{T}()"/>: the typed cursor a REST connector keeps, read back as written.</summary>
public sealed class ReadStateTests
{
    [Fact]
    public void ReadState_FirstSync_IsTheInitialValue()
    {
        var context = new TestSyncContext();

        Assert.Equal(new Cursor("2024-01-01", 0), context.ReadState(new Cursor("2024-01-01", 0)));
        Assert.Null(context.ReadState<Pages>().NextPage);
    }

    [Fact]
    public void ReadState_SavedState_ReadsWhatACheckpointOfTheTypeWrote()
    {
        var context = new TestSyncContext();
        foreach (var (key, value) in System.Text.Json.JsonSerializer.SerializeToNode(new Cursor("2024-03-04", 7))!.AsObject())
        {
            context.State[key] = value?.DeepClone();
        }

        context.State["next_page"] = "p2";

        Assert.Equal(new Cursor("2024-03-04", 7), context.ReadState(new Cursor("x", 0)));
        Assert.Equal("p2", context.ReadState<Pages>().NextPage);
    }

    [Fact]
    public void ReadState_StateOfAnotherShape_FailsNamingTheType()
    {
        var context = new TestSyncContext();
        context.State["Since"] = new JsonArray(1, 2);

        var error = Assert.Throws<InvalidOperationException>(() => context.ReadState(new Cursor("x", 0)));

        Assert.Contains("does not read as Cursor", error.Message, StringComparison.Ordinal);
        Assert.Contains("$.Since", error.Message, StringComparison.Ordinal);
    }

    private sealed record Cursor(string Since, int Offset);

    private sealed class Pages
    {
        [JsonPropertyName("next_page")]
        public string? NextPage { get; set; }
    }
}
