using System.Text.Json.Nodes;
using Tributary.Runtime.Secrets;
using Tributary.Runtime.Tests.Support;

namespace Tributary.Runtime.Tests.Secrets;

public sealed class LocalSecretStoreTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempDirectory _directory = new();

    // Environment variables are process-wide and tests run in parallel: each test uses a connector name of its own.
    private readonly string _connector = "secrets_" + Guid.NewGuid().ToString("N")[..12];

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(LocalSecretStore.VariableName(_connector, "api_key"), null);
        _directory.Dispose();
    }

    private string SecretsFile => Path.Combine(_directory.Path, "secrets.json");

    private Task WriteFileAsync(string json) => File.WriteAllTextAsync(SecretsFile, json);

    [Fact]
    public void VariableName_ConnectorAndName_UpperSnakeWithPrefix()
    {
        Assert.Equal("TRIBUTARY_SECRET_MY_CONNECTOR_API_KEY", LocalSecretStore.VariableName("my_connector", "api-key"));
    }

    [Fact]
    public async Task GetAsync_InFile_ReturnsValue()
    {
        await WriteFileAsync($$$"""{"{{{_connector}}}": {"api_key": "from-file"}}""");

        Assert.Equal("from-file", await new LocalSecretStore(_directory.Path).GetAsync(_connector, "api_key", None));
    }

    [Fact]
    public async Task GetAsync_EnvironmentVariableAndFile_EnvironmentWins()
    {
        await WriteFileAsync($$$"""{"{{{_connector}}}": {"api_key": "from-file"}}""");
        Environment.SetEnvironmentVariable(LocalSecretStore.VariableName(_connector, "api_key"), "from-env");

        Assert.Equal("from-env", await new LocalSecretStore(_directory.Path).GetAsync(_connector, "api_key", None));
    }

    [Fact]
    public async Task GetAsync_OnlyEnvironmentVariable_ReturnsIt()
    {
        Environment.SetEnvironmentVariable(LocalSecretStore.VariableName(_connector, "api_key"), "from-env");

        Assert.Equal("from-env", await new LocalSecretStore(_directory.Path).GetAsync(_connector, "api_key", None));
    }

    [Fact]
    public async Task GetAsync_Unknown_ReturnsNull()
    {
        await WriteFileAsync($$$"""{"{{{_connector}}}": {"api_key": "x"}}""");
        var store = new LocalSecretStore(_directory.Path);

        Assert.Null(await store.GetAsync(_connector, "other", None));
        Assert.Null(await store.GetAsync("other_connector", "api_key", None));
    }

    [Fact]
    public async Task GetAsync_NoFile_ReturnsNull()
    {
        Assert.Null(await new LocalSecretStore(_directory.Path).GetAsync(_connector, "api_key", None));
    }

    [Fact]
    public async Task SetAsync_NewSecret_WrittenToFileAndReadBack()
    {
        await WriteFileAsync($$$"""{"{{{_connector}}}": {"client_id": "keep-me"}, "other": {"x": "y"}}""");

        await new LocalSecretStore(_directory.Path).SetAsync(_connector, "refresh_token", "rotated-1", None);

        var fresh = new LocalSecretStore(_directory.Path);
        Assert.Equal("rotated-1", await fresh.GetAsync(_connector, "refresh_token", None));
        Assert.Equal("keep-me", await fresh.GetAsync(_connector, "client_id", None));
        Assert.Equal("y", await fresh.GetAsync("other", "x", None));
        Assert.Equal("rotated-1", JsonNode.Parse(await File.ReadAllTextAsync(SecretsFile))![_connector]!["refresh_token"]!.GetValue<string>());
    }

    [Fact]
    public async Task SetAsync_NoFileYet_CreatesIt()
    {
        var root = Path.Combine(_directory.Path, "nested", "files");

        await new LocalSecretStore(root).SetAsync(_connector, "token", "v1", None);

        Assert.Equal("v1", await new LocalSecretStore(root).GetAsync(_connector, "token", None));
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("[1, 2]")]
    public async Task GetAsync_CorruptFile_ThrowsInvalidDataNamingFile(string content)
    {
        await WriteFileAsync(content);

        var ex = await Assert.ThrowsAsync<InvalidDataException>(async () => await new LocalSecretStore(_directory.Path).GetAsync(_connector, "api_key", None));

        Assert.Contains(SecretsFile, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_ConnectorEntryNotAnObject_ThrowsInvalidDataNamingFile()
    {
        await WriteFileAsync($$"""{"{{_connector}}": "api_key=oops"}""");

        var ex = await Assert.ThrowsAsync<InvalidDataException>(async () => await new LocalSecretStore(_directory.Path).GetAsync(_connector, "api_key", None));

        Assert.Contains(SecretsFile, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetAsync_CorruptFile_ThrowsInvalidDataAndLeavesFile()
    {
        await WriteFileAsync("{ not json");

        await Assert.ThrowsAsync<InvalidDataException>(async () => await new LocalSecretStore(_directory.Path).SetAsync(_connector, "api_key", "v", None));

        Assert.Equal("{ not json", await File.ReadAllTextAsync(SecretsFile));
    }
}
