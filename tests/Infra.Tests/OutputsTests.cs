using System.Text.RegularExpressions;
using Tributary.Infra.Tests.Support;

namespace Tributary.Infra.Tests;

[Collection(InfraCollection.Name)]
public sealed partial class OutputsTests(InfraFixture fixture)
{
    [Fact]
    public void Outputs_Compiled_AreUpperSnake()
    {
        var names = fixture.Template.Outputs.Where(output => output.Module == "main").Select(output => output.Name).ToList();

        Assert.NotEmpty(names);
        Assert.All(names, name => Assert.Matches(UpperSnakePattern(), name));
    }

    [Fact]
    public void Outputs_Compiled_ContainNoSecretKeyOrConnectionString()
    {
        Assert.NotEmpty(fixture.Template.Outputs);
        foreach (var output in fixture.Template.Outputs)
        {
            var name = output.Name.Replace("KEY_VAULT", string.Empty, StringComparison.Ordinal).Replace("keyVault", string.Empty, StringComparison.Ordinal);
            Assert.False(SecretNamePattern().IsMatch(name), $"Output {output} is named like a secret.");
            Assert.DoesNotContain("secure", output.Node.String("type"), StringComparison.OrdinalIgnoreCase);
            var value = output.Node["value"]?.ToJsonString() ?? string.Empty;
            Assert.False(AppSettingsTests.CredentialValuePattern().IsMatch(value), $"Output {output} = {value} holds a credential or a call that returns one.");
            Assert.DoesNotContain("ConnectionString", value, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Template_Compiled_CallsNoListFunction()
    {
        Assert.DoesNotMatch(ListCallPattern(), fixture.Template.Text);
    }

    [Fact]
    public void Template_Compiled_DeclaresNoSecureParameter()
    {
        var parameters = fixture.Template.Root["parameters"]!.AsObject();

        Assert.All(parameters, parameter => Assert.DoesNotContain("secure", parameter.Value!.String("type"), StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Outputs_Compiled_IncludeEveryValueTheHookReads()
    {
        var hook = File.ReadAllText(RepositoryPaths.Under("infra", "hooks", "postprovision.sh"));
        var outputs = fixture.Template.Outputs.Where(output => output.Module == "main").Select(output => output.Name).ToHashSet();
        var read = HookVariablePattern().Matches(hook).Select(match => match.Groups["name"].Value).ToHashSet();

        Assert.NotEmpty(read);
        Assert.All(read, name => Assert.Contains(name, outputs));
    }

    [Fact]
    public void Resources_Snapshot_TaggedWithAzdEnvName()
    {
        foreach (var snapshot in fixture.Snapshots)
        {
            var topLevel = snapshot.Resources
                .Where(resource => resource.String("type").Count(c => c == '/') == 1)
                .Where(resource => resource.String("type") != "Microsoft.Authorization/roleAssignments")
                .ToList();

            Assert.NotEmpty(topLevel);
            Assert.All(topLevel, resource => Assert.Equal("tributary-snapshot", resource.String("tags.azd-env-name")));
        }
    }

    [GeneratedRegex("^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")]
    private static partial Regex UpperSnakePattern();

    [GeneratedRegex("(password|secret|token|key|sas|connectionstring|connection_string)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretNamePattern();

    [GeneratedRegex(@"\blist[A-Z]\w*\(")]
    private static partial Regex ListCallPattern();

    /// <summary>Environment values the hook reads from azd that a provision sets (not CI's own variables).</summary>
    [GeneratedRegex(@"\$\{?(?<name>(AZURE|POSTGRES|TRIBUTARY)_[A-Z0-9_]+)")]
    private static partial Regex HookVariablePattern();
}
