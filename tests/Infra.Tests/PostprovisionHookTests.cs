using System.Diagnostics;
using Tributary.Infra.Tests.Support;

namespace Tributary.Infra.Tests;

/// <summary>infra/hooks/postprovision.sh, run with sh in a scratch copy of the repository layout.</summary>
public sealed class PostprovisionHookTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("tributary-hook-").FullName;

    public PostprovisionHookTests()
    {
        var hooks = Path.Combine(_root, "infra", "hooks");
        Directory.CreateDirectory(hooks);
        File.Copy(RepositoryPaths.Under("infra", "hooks", "postprovision.sh"), Path.Combine(hooks, "postprovision.sh"));
    }

    private string LocalSettings => Path.Combine(_root, "src", "FunctionsHost", "local.settings.json");

    private static Dictionary<string, string> Provisioned(bool withPostgres)
    {
        var values = new Dictionary<string, string>
        {
            ["AZURE_STORAGE_BLOB_ENDPOINT"] = "https://sttrib.blob.core.windows.net/",
            ["AZURE_STORAGE_QUEUE_ENDPOINT"] = "https://sttrib.queue.core.windows.net/",
            ["AZURE_KEY_VAULT_ENDPOINT"] = "https://kv-trib.vault.azure.net/",
            ["TRIBUTARY_CONNECTION_SETTINGS"] = """{"Connections__hello__Connector":"hello","Connections__hello__Schedule":"0 0 * * * *","Connections__hello__Enabled":"true","Connections__hello__Configuration__greeting":"a \"quoted\" value"}""",
            ["AZURE_MANAGED_IDENTITY_CLIENT_ID"] = "00000000-0000-0000-0000-00000000000c",
            ["TRIBUTARY_LAKE_URI"] = "https://stlake.blob.core.windows.net/lake",
        };
        if (withPostgres)
        {
            values["POSTGRES_HOST"] = "psql-tributary.postgres.database.azure.com";
            values["POSTGRES_DATABASE"] = "tributary";
        }

        return values;
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void PostprovisionHook_ShellScript_PassesSyntaxCheck()
    {
        var (exitCode, output) = Run(["-n", "infra/hooks/postprovision.sh"], []);

        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public void PostprovisionHook_ProvisionedValues_WritesLocalSettingsForEntraLogin()
    {
        var (exitCode, output) = Run(["infra/hooks/postprovision.sh"], Provisioned(withPostgres: true));

        Assert.True(exitCode == 0, output);
        var values = JsonNodes.LoadObject(LocalSettings)["Values"]!.AsObject()
            .ToDictionary(pair => pair.Key, pair => pair.Value!.GetValue<string>());
        Assert.Equal("dotnet-isolated", values["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal("https://sttrib.blob.core.windows.net/", values["AzureWebJobsStorage__blobServiceUri"]);
        Assert.Equal("https://sttrib.queue.core.windows.net/", values["AzureWebJobsStorage__queueServiceUri"]);
        Assert.Equal("https://sttrib.blob.core.windows.net/", values["TributaryStorage__blobServiceUri"]);
        Assert.Equal("https://sttrib.queue.core.windows.net/", values["TributaryStorage__queueServiceUri"]);
        Assert.Equal("https://sttrib.blob.core.windows.net/", values["Tributary__StateStore__BlobServiceUri"]);
        Assert.Equal("https://kv-trib.vault.azure.net/", values["Tributary__KeyVaultUri"]);
        Assert.Equal("https://stlake.blob.core.windows.net/lake", values["Tributary__Destination__Delta__Uri"]);
        Assert.Equal("psql-tributary.postgres.database.azure.com", values["Tributary__Destination__Postgres__Host"]);
        Assert.Equal("tributary", values["Tributary__Destination__Postgres__Database"]);
        Assert.Equal("hello", values["Connections__hello__Connector"]);
        Assert.Equal("0 0 * * * *", values["Connections__hello__Schedule"]);
        Assert.Equal("true", values["Connections__hello__Enabled"]);
        Assert.Equal("a \"quoted\" value", values["Connections__hello__Configuration__greeting"]);

        // Locally the developer's Entra login is used, never the app's managed identity.
        Assert.DoesNotContain(values.Keys, name => name.EndsWith("__credential", StringComparison.Ordinal) || name.EndsWith("__clientId", StringComparison.Ordinal));
        Assert.DoesNotContain("AZURE_CLIENT_ID", values.Keys);
    }

    [Fact]
    public void PostprovisionHook_WithoutPostgres_WritesNoPostgresSettings()
    {
        var (exitCode, output) = Run(["infra/hooks/postprovision.sh"], Provisioned(withPostgres: false));

        Assert.True(exitCode == 0, output);
        var values = JsonNodes.LoadObject(LocalSettings)["Values"]!.AsObject();
        Assert.DoesNotContain(values, pair => pair.Key.Contains("Postgres", StringComparison.Ordinal));
    }

    [Fact]
    public void PostprovisionHook_InCi_WritesNothing()
    {
        var environment = Provisioned(withPostgres: false);
        environment["CI"] = "true";

        var (exitCode, output) = Run(["infra/hooks/postprovision.sh"], environment);

        Assert.True(exitCode == 0, output);
        Assert.False(File.Exists(LocalSettings));
    }

    [Fact]
    public void PostprovisionHook_MissingValues_FailsWithoutWriting()
    {
        var environment = Provisioned(withPostgres: false);
        environment.Remove("AZURE_KEY_VAULT_ENDPOINT");

        var (exitCode, output) = Run(["infra/hooks/postprovision.sh"], environment);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("AZURE_KEY_VAULT_ENDPOINT", output, StringComparison.Ordinal);
        Assert.False(File.Exists(LocalSettings));
    }

    private (int ExitCode, string Output) Run(string[] arguments, Dictionary<string, string> environment)
    {
        var startInfo = new ProcessStartInfo("sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _root,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Only what the test sets: not the CI flags of the machine running the tests.
        foreach (var name in new[] { "CI", "GITHUB_ACTIONS", "POSTGRES_HOST", "POSTGRES_DATABASE", "TRIBUTARY_CONNECTION_SETTINGS", "TRIBUTARY_LAKE_URI" })
        {
            startInfo.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start sh.");
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        var standardError = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The postprovision hook did not finish within 30 s.");
        }

        return (process.ExitCode, $"{standardOutput.Result}{standardError.Result}");
    }
}
