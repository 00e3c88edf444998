using Tributary.Scale;
using Tributary.Testing;

// `instance <settings> <name> <folder>`: one host instance, driven by the coordinator over standard input.
if (args is ["instance", var settings, var name, var folder])
{
    return await Instance.RunAsync(settings, name, folder);
}

// Otherwise the coordinator: Azurite from the repository's node_modules, the instances, the figures.
ScaleOptions options;
try
{
    options = ScaleOptions.Parse(args);
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}

var work = Directory.CreateTempSubdirectory("tributary-scale-").FullName;
await using var azurite = new AzuriteFixture();
await azurite.InitializeAsync();
var report = await Coordinator.RunAsync(options, azurite.ConnectionString, work, Console.Out);
report.Print(Console.Out);
Console.WriteLine($"instance logs and journals: {work}");
return report.Failures.Count == 0 ? 0 : 1;
