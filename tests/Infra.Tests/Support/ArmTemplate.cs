using System.Text.Json.Nodes;

namespace Tributary.Infra.Tests.Support;

/// <summary>A resource declared in the compiled template or in one of its nested (module) templates.</summary>
internal sealed record TemplateResource(string Module, string SymbolicName, JsonObject Node)
{
    public string Type => Node.String("type");

    public override string ToString() => $"{Module}/{SymbolicName} ({Type})";
}

/// <summary>An output of the compiled template or of one of its nested (module) templates.</summary>
internal sealed record TemplateOutput(string Module, string Name, JsonObject Node)
{
    public override string ToString() => $"{Module}: {Name}";
}

/// <summary>The ARM JSON that `bicep build` compiled from infra/main.bicep, with its modules inlined.</summary>
internal sealed class ArmTemplate
{
    private ArmTemplate(JsonObject root, string text)
    {
        Root = root;
        Text = text;
        Resources = [.. CollectResources(root, "main")];
        Outputs = [.. CollectOutputs(root, "main")];
    }

    public JsonObject Root { get; }

    public string Text { get; }

    /// <summary>Every resource, depth first, nested templates included (the module deployments themselves too).</summary>
    public IReadOnlyList<TemplateResource> Resources { get; }

    /// <summary>Every output of the main template and of each nested template.</summary>
    public IReadOnlyList<TemplateOutput> Outputs { get; }

    public static ArmTemplate Load(string path) => new(JsonNodes.LoadObject(path), File.ReadAllText(path));

    public IReadOnlyList<TemplateResource> OfType(string type) =>
        [.. Resources.Where(resource => string.Equals(resource.Type, type, StringComparison.OrdinalIgnoreCase))];

    public TemplateResource Single(string type)
    {
        var matches = OfType(type);
        return matches.Count == 1
            ? matches[0]
            : throw new InvalidDataException($"Expected one {type} in the compiled template, found {matches.Count}.");
    }

    /// <summary>The one resource of <paramref name="type"/> declared in <paramref name="module"/> (such as <c>main/lake</c>).</summary>
    public TemplateResource Single(string type, string module)
    {
        var matches = OfType(type).Where(resource => resource.Module == module).ToList();
        return matches.Count == 1
            ? matches[0]
            : throw new InvalidDataException($"Expected one {type} in {module} of the compiled template, found {matches.Count}.");
    }

    /// <summary>The module deployment with this symbolic name in the main template.</summary>
    public JsonObject Module(string symbolicName) =>
        Resources.Single(resource => resource.Module == "main" && resource.SymbolicName == symbolicName).Node;

    private static IEnumerable<TemplateResource> CollectResources(JsonObject template, string module)
    {
        foreach (var (name, node) in JsonNodes.Members(template["resources"]))
        {
            yield return new TemplateResource(module, name, node);
            if (node.At("properties.template") is JsonObject nested)
            {
                foreach (var inner in CollectResources(nested, $"{module}/{name}"))
                {
                    yield return inner;
                }
            }
        }
    }

    private static IEnumerable<TemplateOutput> CollectOutputs(JsonObject template, string module)
    {
        if (template["outputs"] is JsonObject outputs)
        {
            foreach (var (name, node) in outputs)
            {
                yield return new TemplateOutput(module, name, node!.AsObject());
            }
        }

        foreach (var (name, node) in JsonNodes.Members(template["resources"]))
        {
            if (node.At("properties.template") is JsonObject nested)
            {
                foreach (var inner in CollectOutputs(nested, $"{module}/{name}"))
                {
                    yield return inner;
                }
            }
        }
    }
}
