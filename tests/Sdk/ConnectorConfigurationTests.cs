namespace Tributary.Sdk.Tests;

public sealed class ConnectorConfigurationTests
{
    private static ConnectorConfiguration Config(params (string Key, string Value)[] pairs) =>
        new(pairs.Select(p => KeyValuePair.Create(p.Key, p.Value)));

    [Fact]
    public void GetString_MissingKey_ThrowsConfigurationExceptionNamingKey()
    {
        var ex = Assert.Throws<ConfigurationException>(() => Config().GetString("api_key"));

        Assert.Contains("'api_key'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void GetString_BlankValue_ThrowsConfigurationExceptionNamingKey(string value)
    {
        var ex = Assert.Throws<ConfigurationException>(() => Config(("api_key", value)).GetString("api_key"));

        Assert.Contains("'api_key'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetString_PresentKey_ReturnsValue()
    {
        Assert.Equal("abc", Config(("api_key", "abc")).GetString("api_key"));
    }

    [Fact]
    public void GetString_KeysDifferingInCase_AreDistinct()
    {
        var config = Config(("Key", "upper"));

        Assert.Throws<ConfigurationException>(() => config.GetString("key"));
    }

    [Fact]
    public void Indexer_MissingKey_ThrowsConfigurationExceptionNamingKey()
    {
        var ex = Assert.Throws<ConfigurationException>(() => Config()["region"]);

        Assert.Contains("'region'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void GetStringWithDefault_AbsentOrEmpty_ReturnsDefault(string? value)
    {
        var config = value is null ? Config() : Config(("region", value));

        Assert.Equal("eu", config.GetString("region", "eu"));
    }

    [Fact]
    public void GetStringWithDefault_Present_ReturnsValue()
    {
        Assert.Equal("us", Config(("region", "us")).GetString("region", "eu"));
    }

    [Theory]
    [InlineData("42", 42)]
    [InlineData(" -7 ", -7)]
    public void GetInt32_ValidValue_Parses(string value, int expected)
    {
        Assert.Equal(expected, Config(("page_size", value)).GetInt32("page_size"));
    }

    [Theory]
    [InlineData("12x")]
    [InlineData("1.5")]
    [InlineData("99999999999")]
    public void GetInt32_MalformedValue_ThrowsNamingKeyAndValue(string value)
    {
        var ex = Assert.Throws<ConfigurationException>(() => Config(("page_size", value)).GetInt32("page_size"));

        Assert.Contains("'page_size'", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", ex.Message, StringComparison.Ordinal);
        Assert.NotNull(ex.InnerException);
    }

    [Fact]
    public void GetInt32_MissingKey_ThrowsNamingKey()
    {
        var ex = Assert.Throws<ConfigurationException>(() => Config().GetInt32("page_size"));

        Assert.Contains("'page_size'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetInt32WithDefault_Absent_ReturnsDefault()
    {
        Assert.Equal(100, Config().GetInt32("page_size", 100));
    }

    [Fact]
    public void GetInt32WithDefault_Malformed_ThrowsInsteadOfDefault()
    {
        var ex = Assert.Throws<ConfigurationException>(() => Config(("page_size", "many")).GetInt32("page_size", 100));

        Assert.Contains("'many'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetInt64_LargeValue_Parses()
    {
        Assert.Equal(132353453453635L, Config(("since", "132353453453635")).GetInt64("since"));
    }

    [Fact]
    public void GetInt64_Malformed_ThrowsNamingKeyAndValue()
    {
        var ex = Assert.Throws<ConfigurationException>(() => Config(("since", "yesterday")).GetInt64("since"));

        Assert.Contains("'since'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'yesterday'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetInt64WithDefault_Absent_ReturnsDefault()
    {
        Assert.Equal(5L, Config().GetInt64("since", 5L));
    }

    [Fact]
    public void GetDecimal_InvariantCulture_Parses()
    {
        Assert.Equal(105.34m, Config(("rate", "105.34")).GetDecimal("rate"));
    }

    [Fact]
    public void GetDecimal_Malformed_ThrowsNamingKeyAndValue()
    {
        var ex = Assert.Throws<ConfigurationException>(() => Config(("rate", "1,2,3x")).GetDecimal("rate"));

        Assert.Contains("'rate'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'1,2,3x'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("False", false)]
    public void GetBoolean_TrueOrFalseAnyCase_Parses(string value, bool expected)
    {
        Assert.Equal(expected, Config(("enabled", value)).GetBoolean("enabled"));
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("1")]
    public void GetBoolean_Malformed_ThrowsNamingKeyAndValue(string value)
    {
        var ex = Assert.Throws<ConfigurationException>(() => Config(("enabled", value)).GetBoolean("enabled"));

        Assert.Contains("'enabled'", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetBooleanWithDefault_Absent_ReturnsDefault()
    {
        Assert.True(Config().GetBoolean("enabled", true));
    }

    [Fact]
    public void GetUri_Absolute_Parses()
    {
        Assert.Equal(new Uri("https://api.example.com/v1"), Config(("base_url", "https://api.example.com/v1")).GetUri("base_url"));
    }

    [Theory]
    [InlineData("not a uri")]
    [InlineData("api/v1")]
    public void GetUri_MalformedOrRelative_ThrowsNamingKeyAndValue(string value)
    {
        var ex = Assert.Throws<ConfigurationException>(() => Config(("base_url", value)).GetUri("base_url"));

        Assert.Contains("'base_url'", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetUri_RootedPathWithoutScheme_ThrowsNamingKeyAndValue()
    {
        // On Unix, new Uri("/v1", UriKind.Absolute) is file:///v1: a base URL typo must not turn into a file path.
        var ex = Assert.Throws<ConfigurationException>(() => Config(("base_url", "/v1/items")).GetUri("base_url"));

        Assert.Contains("'base_url'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'/v1/items'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetDateTimeOffset_DateOnly_IsUtcMidnight()
    {
        var value = Config(("start", "2024-06-01")).GetDateTimeOffset("start");

        Assert.Equal(new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero), value);
        Assert.Equal(TimeSpan.Zero, value.Offset);
    }

    [Fact]
    public void GetDateTimeOffset_WithOffset_KeepsInstant()
    {
        var value = Config(("start", "2024-06-01T10:00:00+02:00")).GetDateTimeOffset("start");

        Assert.Equal(new DateTimeOffset(2024, 6, 1, 8, 0, 0, TimeSpan.Zero), value.ToUniversalTime());
    }

    [Fact]
    public void GetDateTimeOffset_Malformed_ThrowsNamingKeyAndValue()
    {
        var ex = Assert.Throws<ConfigurationException>(() => Config(("start", "2024-13-45")).GetDateTimeOffset("start"));

        Assert.Contains("'start'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'2024-13-45'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetOneOf_AllowedValue_ReturnsIt()
    {
        Assert.Equal("oauth", Config(("auth", "oauth")).GetOneOf("auth", "basic", "oauth"));
    }

    [Fact]
    public void GetOneOf_OtherValue_ThrowsListingAllowed()
    {
        var ex = Assert.Throws<ConfigurationException>(() => Config(("auth", "OAuth")).GetOneOf("auth", "basic", "oauth"));

        Assert.Contains("'auth'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'OAuth'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("basic, oauth", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dictionary_Members_ExposeRawValues()
    {
        var config = Config(("a", "1"), ("b", "2"));

        Assert.Equal(2, config.Count);
        Assert.True(config.ContainsKey("a"));
        Assert.True(config.TryGetValue("b", out var b));
        Assert.Equal("2", b);
        Assert.False(config.TryGetValue("c", out _));
        Assert.Equal(["a", "b"], config.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Empty_HasNoKeys()
    {
        Assert.Empty(ConnectorConfiguration.Empty);
    }

    [Fact]
    public void Constructor_CopiesValues_LaterChangesToSourceDoNotLeakIn()
    {
        var source = new Dictionary<string, string> { ["a"] = "1" };
        var config = new ConnectorConfiguration(source);

        source["a"] = "2";

        Assert.Equal(1, config.GetInt32("a"));
    }

    [Fact]
    public void GetUriWithDefault_AbsentOrSet_ReturnsTheDefaultOrTheValue()
    {
        Assert.Equal(new Uri("https://api.example.com/v1/"), Config().GetUri("base_url", "https://api.example.com/v1/"));
        Assert.Equal(new Uri("http://127.0.0.1:5001/"), Config(("base_url", "http://127.0.0.1:5001/")).GetUri("base_url", "https://api.example.com/"));
    }

    [Fact]
    public void GetUriWithDefault_RelativeValue_ThrowsNamingKey()
    {
        var ex = Assert.Throws<ConfigurationException>(() => Config(("base_url", "/v1/items")).GetUri("base_url", "https://api.example.com/"));

        Assert.Contains("'base_url'", ex.Message, StringComparison.Ordinal);
    }
}
