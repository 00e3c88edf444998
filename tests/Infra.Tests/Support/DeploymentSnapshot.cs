using System.Text.Json.Nodes;

namespace Tributary.Infra.Tests.Support;

/// <summary>
/// A `bicep snapshot` of main.bicep with one parameters file: the resources the deployment would create,
/// with every expression evaluated that does not depend on a value only Azure knows (those stay "[...]").
/// </summary>
internal sealed class DeploymentSnapshot
{
    private DeploymentSnapshot(string name, JsonObject root)
    {
        Name = name;
        Root = root;
        Resources = [.. (root["predictedResources"]?.AsArray() ?? []).Select(node => node!.AsObject())];
        Outputs = root["outputs"]?.AsObject() ?? [];
    }

    public string Name { get; }

    public JsonObject Root { get; }

    public IReadOnlyList<JsonObject> Resources { get; }

    public JsonObject Outputs { get; }

    public static DeploymentSnapshot Load(string name, string path) => new(name, JsonNodes.LoadObject(path));

    public IReadOnlyList<JsonObject> OfType(string type) =>
        [.. Resources.Where(resource => string.Equals(resource.String("type"), type, StringComparison.OrdinalIgnoreCase))];

    public JsonObject Single(string type)
    {
        var matches = OfType(type);
        return matches.Count == 1
            ? matches[0]
            : throw new InvalidDataException($"Expected one {type} in the {Name} snapshot, found {matches.Count}.");
    }

    /// <summary>The runtime's storage account (host storage, deployment package, state, run queue): <c>sttrib…</c>.</summary>
    public JsonObject RuntimeStorageAccount => StorageAccount("sttrib");

    /// <summary>The ADLS Gen2 account that holds the Delta Lake tables: <c>stlake…</c>.</summary>
    public JsonObject LakeAccount => StorageAccount("stlake");

    /// <summary>The Function App's app settings, by name.</summary>
    public IReadOnlyDictionary<string, string> AppSettings
    {
        get
        {
            var site = Single("Microsoft.Web/sites");
            var settings = site.At("properties.siteConfig.appSettings") as JsonArray
                ?? throw new InvalidDataException($"The {Name} snapshot's Function App has no evaluated appSettings array.");
            return settings.Select(setting => setting!).ToDictionary(setting => setting.String("name"), setting => setting.String("value"), StringComparer.Ordinal);
        }
    }

    public override string ToString() => Name;

    private JsonObject StorageAccount(string prefix)
    {
        var matches = OfType("Microsoft.Storage/storageAccounts").Where(account => account.String("name").StartsWith(prefix, StringComparison.Ordinal)).ToList();
        return matches.Count == 1
            ? matches[0]
            : throw new InvalidDataException($"Expected one storage account named {prefix}… in the {Name} snapshot, found {matches.Count}.");
    }
}
