using System.Text.Json.Nodes;
using Tributary.Infra.Tests.Support;

namespace Tributary.Infra.Tests;

/// <summary>.github/workflows/azure-dev.yml: build, test and deploy on push to main, signed in with OIDC.</summary>
public sealed class WorkflowTests
{
    private static JsonObject Workflow =>
        YamlJson.Load(RepositoryPaths.Workflow)?.AsObject() ?? throw new InvalidDataException("The workflow holds no mapping.");

    private static IEnumerable<JsonNode> Steps(string job) =>
        Workflow.At($"jobs.{job}.steps")?.AsArray().Select(step => step!) ?? throw new InvalidDataException($"The workflow has no {job} job.");

    private static IEnumerable<string> Runs(string job) =>
        Steps(job).Select(step => step.At("run")).OfType<JsonValue>().Select(run => run.GetValue<string>());

    [Fact]
    public void Workflow_AzureDev_RunsOnPushToMain()
    {
        // Keys are read as text, so `on` stays "on" (a YAML 1.1 reader would make it true).
        var triggers = Workflow["on"] ?? throw new InvalidDataException("The workflow has no `on`.");

        Assert.Equal(["main"], triggers.At("push.branches")!.AsArray().Select(branch => branch!.GetValue<string>()));
    }

    [Fact]
    public void Workflow_AzureDev_SignsInWithFederatedCredentials()
    {
        var text = File.ReadAllText(RepositoryPaths.Workflow);

        Assert.Equal("write", Workflow.String("permissions.id-token"));
        Assert.DoesNotContain("secrets.", text, StringComparison.Ordinal);
        foreach (var variable in new[] { "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID" })
        {
            Assert.Equal($"${{{{ vars.{variable} }}}}", Workflow.String($"jobs.deploy.env.{variable}"));
        }

        var login = Assert.Single(Runs("deploy"), run => run.StartsWith("azd auth login", StringComparison.Ordinal));
        Assert.Contains("--federated-credential-provider github", login, StringComparison.Ordinal);
    }

    [Fact]
    public void Workflow_AzureDev_TestsWithCiRunBeforeDeploying()
    {
        Assert.Contains("bash .ci/run", Runs("build-and-test"));
        Assert.Equal("build-and-test", Workflow.String("jobs.deploy.needs"));
        Assert.Equal(["azd provision --no-prompt", "azd deploy --no-prompt"], Runs("deploy").Where(run => run.StartsWith("azd provision", StringComparison.Ordinal) || run.StartsWith("azd deploy", StringComparison.Ordinal)));
    }
}
