using Microsoft.Extensions.Time.Testing;
using Tributary.Azure.Tests.Support;
using Tributary.Sdk;

namespace Tributary.FunctionsHost.Tests.Support;

/// <summary>
/// <c>synthetic</c>, registered for the host under its own name, whose clock moves 10 s at each checkpoint (the host's
/// clock is a <see cref="FakeTimeProvider"/> in these tests): small time budgets pause it at predictable checkpoints.
/// </summary>
[Connector("paced_synthetic", Description = "synthetic with a clock that moves 10 s per checkpoint (tests only).")]
public sealed class PacedSyntheticForHost : Connector
{
    private readonly Tributary.Connectors.Synthetic.SyntheticConnector _inner = new();

    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) => _inner.Schema(configuration);

    public override Task UpdateAsync(SyncContext context, CancellationToken cancellationToken) =>
        new PacedSyntheticConnector((FakeTimeProvider)context.TimeProvider, TimeSpan.FromSeconds(10)).UpdateAsync(context, cancellationToken);
}

/// <summary>Writes a row, then works for two hours of the host's fake clock without a checkpoint: every run passes its hard deadline.</summary>
[Connector("stalling", Description = "Never reaches a checkpoint in time (tests only).")]
public sealed class StallingConnector : Connector
{
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        await context.UpsertAsync("work", new { id = 1 }, cancellationToken);
        ((FakeTimeProvider)context.TimeProvider).Advance(TimeSpan.FromHours(2));
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
}

/// <summary>
/// A webhook handler that does what the delivery's <c>action</c> says: <c>sync</c> upserts a row (<c>id</c>, and the header
/// names it was given) and asks for a sync; <c>fail</c> throws; <c>stall</c> works for two hours of the host's fake clock.
/// </summary>
[Connector("scripted_webhook", Description = "A webhook handler driven by its delivery (tests only).")]
public sealed class ScriptedWebhookConnector : Connector
{
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) => [new TableDefinition("ping") { PrimaryKey = ["id"] }];

    public override Task UpdateAsync(SyncContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    public override async Task HandleWebhookAsync(WebhookContext context, CancellationToken cancellationToken)
    {
        var delivery = System.Text.Json.Nodes.JsonNode.Parse(context.Body.Span)!;
        switch (delivery["action"]!.GetValue<string>())
        {
            case "sync":
                var headers = string.Join(",", context.Headers.Keys.Order(StringComparer.Ordinal));
                await context.UpsertAsync("ping", new { id = delivery["id"]!.GetValue<int>(), headers }, cancellationToken);
                await context.CheckpointAsync(new { last = delivery["id"]!.GetValue<int>() }, cancellationToken);
                context.RequestSync();
                break;
            case "fail":
                throw new InvalidOperationException("secret-looking failure detail");
            default:
                await context.UpsertAsync("ping", new { id = 0 }, cancellationToken);
                ((FakeTimeProvider)context.TimeProvider).Advance(TimeSpan.FromHours(2));
                await Task.Delay(Timeout.Infinite, cancellationToken);
                break;
        }
    }
}
