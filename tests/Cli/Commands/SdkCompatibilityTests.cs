using Tributary.Cli.Loading;
using Xunit;

namespace Tributary.Cli.Tests.Commands;

public sealed class SdkCompatibilityTests
{
    [Theory]
    [InlineData("1.0.0.0", "1.0.0.0", true)]
    [InlineData("1.0.0.0", "1.4.2.0", true)]    // older minor, same major: runs
    [InlineData("1.4.2.0", "1.4.3.0", true)]
    [InlineData("1.5.0.0", "1.4.0.0", false)]   // newer than the host
    [InlineData("1.4.3.0", "1.4.2.0", false)]
    [InlineData("2.0.0.0", "1.9.0.0", false)]   // newer major
    [InlineData("1.9.0.0", "2.0.0.0", false)]   // older major: the API may have changed
    [InlineData("0.3.1.0", "0.3.2.0", true)]
    [InlineData("0.2.0.0", "0.3.0.0", false)]   // 0.x: each minor may change the API
    public void IsCompatible_ConnectorAndHostVersions_SameMajorNotNewer(string connector, string host, bool compatible) =>
        Assert.Equal(compatible, SdkCompatibility.IsCompatible(Version.Parse(connector), Version.Parse(host)));

    [Fact]
    public void Problem_OlderMajor_SaysToRebuildAgainstTheHostsMajor() =>
        Assert.Equal(
            "Acme.dll was built against Tributary.Sdk 1.9.0, and this tributary has 2.1.0, a newer major version whose API may differ: rebuild the connector against Tributary.Sdk 2.x.",
            SdkCompatibility.Problem("Acme.dll", "Tributary.Sdk", new Version(1, 9, 0, 0), new Version(2, 1, 0, 0)));

    [Fact]
    public void Problem_OlderZeroMinor_SaysToRebuildAgainstTheHostsMinor() =>
        Assert.Equal(
            "Acme.dll was built against Tributary.Sdk 0.2.0, and this tributary has 0.3.1, a newer 0.x version whose API may differ: rebuild the connector against Tributary.Sdk 0.3.x.",
            SdkCompatibility.Problem("Acme.dll", "Tributary.Sdk", new Version(0, 2, 0, 0), new Version(0, 3, 1, 0)));
}
