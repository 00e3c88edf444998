using Azure;
using Azure.Storage.Blobs;
using Tributary.Azure.State;
using Tributary.Runtime.State;
using Xunit;

namespace Tributary.Cli.Tests;

/// <summary>What a run of the CLI counts as transient depends on where its state lives.</summary>
public sealed class WorkspaceOptionsTests
{
    private static readonly RequestFailedException ServerBusy = new(503, "The server is busy.");

    [Fact]
    public void RunnerOptions_BlobStateStore_CountsStorage5xxAsTransient()
    {
        var options = WorkspaceOptions.RunnerOptions(new BlobStateStore(new BlobServiceClient("UseDevelopmentStorage=true")));

        Assert.Equal(RunErrorKind.Transient, RunErrors.Classify(new InvalidOperationException("Saving the state failed.", ServerBusy), options.IsTransient));
    }

    [Fact]
    public void RunnerOptions_FileStateStore_AddsNoAzureErrors()
    {
        var folder = Directory.CreateTempSubdirectory("tributary-cli-");
        try
        {
            var options = WorkspaceOptions.RunnerOptions(new FileStateStore(folder.FullName, TimeProvider.System));

            Assert.Equal(RunErrorKind.Fatal, RunErrors.Classify(new InvalidOperationException("Saving the state failed.", ServerBusy), options.IsTransient));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
