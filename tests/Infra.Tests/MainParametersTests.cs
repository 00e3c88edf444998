using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Tributary.Infra.Tests.Support;

namespace Tributary.Infra.Tests;

/// <summary>infra/main.parameters.json: what azd passes to main.bicep, all from azd environment values.</summary>
[Collection(InfraCollection.Name)]
public sealed partial class MainParametersTests(InfraFixture fixture)
{
    private static JsonObject Parameters =>
        JsonNodes.LoadObject(RepositoryPaths.Under("infra", "main.parameters.json"))["parameters"]?.AsObject()
        ?? throw new InvalidDataException("infra/main.parameters.json has no parameters object.");

    [Fact]
    public void MainParameters_Json_CoverEveryRequiredParameter()
    {
        var required = fixture.Template.Root["parameters"]!.AsObject()
            .Where(parameter => parameter.Value!.At("defaultValue") is null)
            .Select(parameter => parameter.Key);

        Assert.All(required, name => Assert.True(Parameters.ContainsKey(name), $"main.parameters.json does not set the required parameter {name}."));
    }

    [Fact]
    public void MainParameters_Json_NameOnlyTemplateParameters()
    {
        var declared = fixture.Template.Root["parameters"]!.AsObject().Select(parameter => parameter.Key).ToHashSet();

        Assert.All(Parameters, parameter => Assert.Contains(parameter.Key, declared));
    }

    [Fact]
    public void MainParameters_Json_TakeValuesFromAzdEnvironment()
    {
        Assert.All(Parameters, parameter => Assert.Matches(AzdVariablePattern(), parameter.Value!.String("value")));
        Assert.Equal("${AZURE_PRINCIPAL_ID}", Parameters["principalId"]!.String("value"));
        Assert.Equal("${AZURE_ENV_NAME}", Parameters["environmentName"]!.String("value"));
        Assert.Equal("${AZURE_LOCATION}", Parameters["location"]!.String("value"));
    }

    [GeneratedRegex(@"^\$\{[A-Z][A-Z0-9_]*(=[^}]*)?\}$")]
    private static partial Regex AzdVariablePattern();
}
