using System.Security.Cryptography;
using System.Text;
using Tributary.Sdk;

namespace Tributary.Testing;

/// <summary>
/// A connector whose every connection must stay apart: it reads configuration <c>org</c> and secret <c>api_key</c>, upserts one
/// row <c>orgs</c> (id = the org, a hash of the key, the run count) and checkpoints <c>{ org, runs }</c>, counting its own runs.
/// </summary>
[Connector("org_echo", Description = "One row per run naming its configured org and a hash of its key (tests only).")]
public sealed class OrgEchoConnector : Connector
{
    /// <summary>The hash written for a key: what a test compares instead of the secret.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16];

    /// <inheritdoc />
    public override IEnumerable<TableDefinition> Schema(ConnectorConfiguration configuration) => [new TableDefinition("orgs") { PrimaryKey = ["id"] }];

    /// <inheritdoc />
    public override async Task UpdateAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var org = context.Configuration.GetString("org");
        var key = await context.GetSecretAsync("api_key", cancellationToken);
        var runs = (context.State["runs"]?.GetValue<int>() ?? 0) + 1;
        if (context.State["org"]?.GetValue<string>() is { } seen && seen != org)
        {
            throw new InvalidOperationException($"State of org '{seen}' reached a run of org '{org}'.");
        }

        await context.UpsertAsync("orgs", new { id = org, key_hash = Hash(key), runs }, cancellationToken);
        await context.CheckpointAsync(new { org, runs }, cancellationToken);
    }
}
