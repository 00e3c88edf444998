using Tributary.Connectors.MultipleCodeFiles.Utils;
using Xunit;

namespace Tributary.Connectors.Tests.MultipleCodeFiles;

public sealed class TimestampSerializerTests
{
    [Theory]
    [InlineData("2024/09/24 14:30:45", "2024-09-24T14:30:45+00:00")]
    [InlineData("2024-09-24 10:30:45", "2024-09-24T10:30:45+00:00")]
    public void Serialize_AcceptedFormat_ReturnsIsoUtc(string timestamp, string expected) =>
        Assert.Equal(expected, TimestampSerializer.Serialize(timestamp));

    [Theory]
    [InlineData("24.09.2024 14:30")]
    [InlineData("2024-09-24T14:30:45Z")]
    public void Serialize_OtherFormat_ThrowsNamingValue(string timestamp)
    {
        var error = Assert.Throws<FormatException>(() => TimestampSerializer.Serialize(timestamp));
        Assert.Contains(timestamp, error.Message, StringComparison.Ordinal);
    }
}
