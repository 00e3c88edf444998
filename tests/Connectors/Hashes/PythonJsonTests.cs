using Tributary.Connectors.Hashes;
using Xunit;

namespace Tributary.Connectors.Tests.Hashes;

public sealed class PythonJsonTests
{
    [Fact]
    public void DumpsSorted_DocumentedRow_MatchesPythonText()
    {
        var row = new Dictionary<string, object?>
        {
            ["first_name"] = "John",
            ["last_name"] = "Doe",
            ["email"] = "john.doe@example.com",
            ["updated_at"] = "2007-12-03T10:15:30Z",
        };

        Assert.Equal(
            """{"email": "john.doe@example.com", "first_name": "John", "last_name": "Doe", "updated_at": "2007-12-03T10:15:30Z"}""",
            PythonJson.DumpsSorted(row));
    }

    [Fact]
    public void DumpsSorted_NestedEscapedAndNonBmpKeys_MatchesPythonText()
    {
        // Python 3: json.dumps({'b': 1, 'a': [1, 'é\x7f\n"', None, True], '\ue000': 1, '\U0001F600': 2}, sort_keys=True)
        var value = new Dictionary<string, object?>
        {
            ["b"] = 1,
            ["a"] = new List<object?> { 1, "é\u007f\n\"", null, true },
            ["\ue000"] = 1,
            ["\U0001F600"] = 2,
        };

        Assert.Equal(
            """{"a": [1, "\u00e9\u007f\n\"", null, true], "b": 1, "\ue000": 1, "\ud83d\ude00": 2}""",
            PythonJson.DumpsSorted(value));
    }

    [Fact]
    public void DumpsSorted_EmptyContainers_MatchPythonText()
    {
        Assert.Equal("{}", PythonJson.DumpsSorted(new Dictionary<string, object?>()));
        Assert.Equal("[]", PythonJson.DumpsSorted(new List<object?>()));
    }

    [Theory]
    // Python 3 repr(float) for each value.
    [InlineData(1e-4, "0.0001")]
    [InlineData(1e-5, "1e-05")]
    [InlineData(0.00012, "0.00012")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1.5e16, "1.5e+16")]
    [InlineData(12345678901234567890.0, "1.2345678901234567e+19")]
    [InlineData(123.456, "123.456")]
    [InlineData(0.1, "0.1")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(1.0, "1.0")]
    [InlineData(100.0, "100.0")]
    [InlineData(0.0, "0.0")]
    [InlineData(1e300, "1e+300")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    public void FormatFloat_Value_MatchesPythonRepr(double value, string expected) =>
        Assert.Equal(expected, PythonJson.FormatFloat(value));

    [Fact]
    public void DumpsSorted_UnsupportedValue_Throws() =>
        Assert.Throws<ArgumentException>(() => PythonJson.DumpsSorted(new Dictionary<string, object?> { ["when"] = DateTimeOffset.UnixEpoch }));
}
