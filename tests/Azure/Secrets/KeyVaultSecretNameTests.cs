using Tributary.Azure.Secrets;

namespace Tributary.Azure.Tests.Secrets;

public sealed class KeyVaultSecretNameTests
{
    [Theory]
    [InlineData("hello", "api_key", "hello--api-key")]
    [InlineData("simple_three_step_cursor", "refresh-token", "simple-three-step-cursor--refresh-token")]
    [InlineData("hello", "clientSecret", "hello--clientsecret")]
    [InlineData("hello", "API_KEY", "hello--api-key")]
    [InlineData("base_64_encoding_decoding", "webhook_secret", "base-64-encoding-decoding--webhook-secret")]
    [InlineData("github_acme", "api_key", "github-acme--api-key")]
    public void For_ValidNames_MapsToKeyVaultName(string connection, string name, string expected) =>
        Assert.Equal(expected, KeyVaultSecretName.For(connection, name));

    [Theory]
    [InlineData("api key")]
    [InlineData("api__key")]
    [InlineData("api--key")]
    [InlineData("_key")]
    [InlineData("key-")]
    [InlineData("clé")]
    [InlineData("a.b")]
    public void For_NameKeyVaultCannotHold_ThrowsNamingTheRule(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => KeyVaultSecretName.For("hello", name));

        Assert.Contains($"'{name}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("ASCII letters and digits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void For_NotAConnectionId_ThrowsNamingIt() =>
        Assert.Contains(
            "'Hello-World' is not a connection id",
            Assert.Throws<ArgumentException>(() => KeyVaultSecretName.For("Hello-World", "key")).Message,
            StringComparison.Ordinal);

    [Fact]
    public void For_TwoConnectionsOfOneConnector_HaveSeparateSecrets() =>
        Assert.NotEqual(KeyVaultSecretName.For("github_acme", "api_key"), KeyVaultSecretName.For("github_globex", "api_key"));

    [Fact]
    public void For_TooLong_Throws() =>
        Assert.Contains("127", Assert.Throws<ArgumentException>(() => KeyVaultSecretName.For("hello", new string('k', 121))).Message, StringComparison.Ordinal);

    [Fact]
    public void For_DifferentConnectorsAndNames_NeverCollide()
    {
        // The last "--" separates connection from name, because a name never holds "--".
        Assert.NotEqual(KeyVaultSecretName.For("a_b", "c"), KeyVaultSecretName.For("a", "b_c"));
        Assert.NotEqual(KeyVaultSecretName.For("a__b", "c"), KeyVaultSecretName.For("a", "b-c"));
        Assert.Equal("a--b--c", KeyVaultSecretName.For("a__b", "c"));
    }
}
