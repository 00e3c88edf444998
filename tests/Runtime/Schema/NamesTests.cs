using Tributary.Runtime.Schema;

namespace Tributary.Runtime.Tests.Schema;

public sealed class NamesTests
{
    [Theory]
    [InlineData("firstName", "first_name")]
    [InlineData("FirstName", "first_name")]
    [InlineData("HTTPServer", "http_server")]
    [InlineData("userID", "user_id")]
    [InlineData("first name", "first_name")]
    [InlineData("  padded  ", "padded")]
    [InlineData("already_snake", "already_snake")]
    [InlineData("e-mail", "e_mail")]
    [InlineData("price($)", "price___")]
    [InlineData("a.b", "a_b")]
    [InlineData("version2", "version2")]
    public void Normalize_SourceName_IsLowerSnakeCase(string source, string expected)
    {
        Assert.Equal(expected, Names.Normalize(source));
    }

    [Theory]
    [InlineData("2fa", "_2fa")]
    [InlineData("1st place", "_1st_place")]
    public void Normalize_LeadingDigit_GetsUnderscorePrefix(string source, string expected)
    {
        Assert.Equal(expected, Names.Normalize(source));
    }

    [Theory]
    [InlineData("order", "_order")]
    [InlineData("Order", "_order")]
    [InlineData("select", "_select")]
    [InlineData("table", "_table")]
    [InlineData("null", "_null")]
    public void Normalize_ReservedWord_GetsUnderscorePrefix(string source, string expected)
    {
        Assert.Equal(expected, Names.Normalize(source));
    }

    [Theory]
    [InlineData("orders", "orders")]
    [InlineData("order_id", "order_id")]
    public void Normalize_WordContainingReservedWord_Unchanged(string source, string expected)
    {
        Assert.Equal(expected, Names.Normalize(source));
    }

    [Theory]
    [InlineData("café", "caf_")]
    [InlineData("naïve", "na_ve")]
    [InlineData("日本", "__")]
    [InlineData("a\tb", "a_b")]
    public void Normalize_UnicodeAndPunctuation_BecomeUnderscore(string source, string expected)
    {
        Assert.Equal(expected, Names.Normalize(source));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Normalize_Blank_ThrowsArgumentException(string source)
    {
        Assert.Throws<ArgumentException>(() => Names.Normalize(source));
    }

    [Fact]
    public void Normalize_Result_IsAlwaysSnakeCase()
    {
        foreach (var source in new[] { "firstName", "HTTPServer", "2fa", "order", "café", "a b-c.d", "ÀÉÎ" })
        {
            Assert.True(Names.IsSnakeCase(Names.Normalize(source)), source);
        }
    }

    [Fact]
    public void Normalize_Twice_IsStable()
    {
        foreach (var source in new[] { "firstName", "HTTPServer", "2fa", "e-mail", "my_table" })
        {
            var once = Names.Normalize(source);
            Assert.Equal(once, Names.Normalize(once));
        }
    }

    [Theory]
    [InlineData("hello", true)]
    [InlineData("simple_three_step_cursor", true)]
    [InlineData("v2", true)]
    [InlineData("Hello", false)]
    [InlineData("hello-world", false)]
    [InlineData("", false)]
    public void IsSnakeCase_Name_Classifies(string name, bool expected)
    {
        Assert.Equal(expected, Names.IsSnakeCase(name));
    }
}
