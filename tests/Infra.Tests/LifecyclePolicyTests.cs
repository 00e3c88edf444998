using System.Text.Json.Nodes;
using Tributary.Infra.Tests.Support;

namespace Tributary.Infra.Tests;

/// <summary>
/// The storage lifecycle policy deletes by age what the app prunes: state history and run records (found by the blob index
/// tag the app's Blob state store writes, <c>tributary-retention</c> = <c>history</c> or <c>run</c>), the claims of ended syncs
/// (<c>sync</c>), and remembered webhook ids.
/// </summary>
[Collection(InfraCollection.Name)]
public sealed class LifecyclePolicyTests(InfraFixture fixture)
{
    private const string PolicyType = "Microsoft.Storage/storageAccounts/managementPolicies";

    [Theory]
    [InlineData("state-history", "history", "Tributary__StateStore__Retention__HistoryDays")]
    [InlineData("run-records", "run", "Tributary__StateStore__Retention__RunDays")]
    public void LifecyclePolicy_Snapshot_DeletesTaggedBlobsAtTheAgeTheAppPrunesBy(string rule, string tag, string appSetting)
    {
        foreach (var snapshot in fixture.Snapshots)
        {
            var definition = Rule(snapshot.Single(PolicyType), rule);

            var match = Assert.Single(Array(definition, "filters.blobIndexMatch"));
            Assert.Equal(("tributary-retention", "==", tag), (match.String("name"), match.String("op"), match.String("value")));
            Assert.Equal(["tributary-state/"], Array(definition, "filters.prefixMatch").Select(prefix => prefix.GetValue<string>()));
            Assert.Equal(["blockBlob"], Array(definition, "filters.blobTypes").Select(type => type.GetValue<string>()));
            var days = definition.Int("actions.baseBlob.delete.daysAfterModificationGreaterThan");
            Assert.Equal(30, days);
            Assert.Equal(days.ToString(System.Globalization.CultureInfo.InvariantCulture), snapshot.AppSettings[appSetting]);
        }
    }

    [Fact]
    public void LifecyclePolicy_Snapshot_DeletesEndedSyncClaimsAfterTheirMessagesExpire()
    {
        foreach (var snapshot in fixture.Snapshots)
        {
            var definition = Rule(snapshot.Single(PolicyType), "sync-claims");

            var match = Assert.Single(Array(definition, "filters.blobIndexMatch"));
            Assert.Equal(("tributary-retention", "==", "sync"), (match.String("name"), match.String("op"), match.String("value")));
            Assert.Equal(["tributary-state/"], Array(definition, "filters.prefixMatch").Select(prefix => prefix.GetValue<string>()));
            Assert.Equal(8, definition.Int("actions.baseBlob.delete.daysAfterModificationGreaterThan"));   // queue messages live 7 days
        }
    }

    [Fact]
    public void LifecyclePolicy_Snapshot_DeletesRememberedWebhookIdsAfterADay()
    {
        foreach (var snapshot in fixture.Snapshots)
        {
            var definition = Rule(snapshot.Single(PolicyType), "webhook-deliveries");

            Assert.Equal(["tributary-state/webhook-deliveries/"], Array(definition, "filters.prefixMatch").Select(prefix => prefix.GetValue<string>()));
            Assert.Equal(1, definition.Int("actions.baseBlob.delete.daysAfterModificationGreaterThan"));
        }
    }

    [Fact]
    public void LifecyclePolicy_Snapshot_NoRuleReachesCurrentStateOrLeases()
    {
        foreach (var snapshot in fixture.Snapshots)
        {
            var rules = Array(snapshot.Single(PolicyType), "properties.policy.rules");

            Assert.Equal(4, rules.Count);
            Assert.All(rules, rule =>
            {
                var definition = rule.At("definition")!;
                var tagged = Array(definition, "filters.blobIndexMatch").Count == 1;
                var onlyWebhookIds = Array(definition, "filters.prefixMatch").All(prefix => prefix.GetValue<string>().StartsWith("tributary-state/webhook-deliveries/", StringComparison.Ordinal));
                Assert.True(tagged || onlyWebhookIds, $"{snapshot}: rule {rule.String("name")} could delete untagged state blobs.");
                Assert.Null(definition.At("actions.baseBlob.tierToCool"));
            });
        }
    }

    [Fact]
    public void LifecyclePolicy_Template_RetentionDaysAreParametersWithLimits()
    {
        var parameters = fixture.Template.Root["parameters"]!;

        foreach (var name in new[] { "stateHistoryRetentionDays", "runRecordRetentionDays" })
        {
            Assert.Equal(("int", 30, 1, 36500), (parameters.String($"{name}.type"), parameters.Int($"{name}.defaultValue"), parameters.Int($"{name}.minValue"), parameters.Int($"{name}.maxValue")));
        }
    }

    private static JsonNode Rule(JsonObject policy, string name) =>
        Array(policy, "properties.policy.rules").Single(rule => rule.String("name") == name).At("definition")!;

    private static List<JsonNode> Array(JsonNode node, string path) =>
        node.At(path) is JsonArray array ? [.. array.Select(item => item!)] : [];
}
