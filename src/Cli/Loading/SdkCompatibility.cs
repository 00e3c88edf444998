using System.Reflection;

namespace Tributary.Cli.Loading;

/// <summary>
/// Whether a connector built against one version of a shared assembly runs on this tributary's. Tributary.Sdk: the same
/// major version (for 0.x, the same major and minor, since 0.x versions may change the API from one minor to the next),
/// and not newer than this tributary's. Any other shared assembly: not newer than this tributary's.
/// </summary>
internal static class SdkCompatibility
{
    /// <summary>The SDK's assembly name.</summary>
    public const string Sdk = "Tributary.Sdk";

    /// <summary>The rule in one sentence, for the options' help.</summary>
    public static string Rule =>
        $"The connector must be built against Tributary.Sdk {Series(ConnectorLoadContext.HostVersion(Sdk))}, at most {Display(ConnectorLoadContext.HostVersion(Sdk))} (this tributary's).";

    /// <summary>Whether a connector built against Tributary.Sdk <paramref name="connector"/> runs on <paramref name="host"/>.</summary>
    public static bool IsCompatible(Version connector, Version host) =>
        connector.Major == host.Major && (host.Major > 0 || connector.Minor == host.Minor) && connector <= host;

    /// <summary>Checks every shared assembly <paramref name="assembly"/> references against this tributary's.</summary>
    /// <exception cref="CliException">One is incompatible: the message says which versions, and what to do.</exception>
    public static void Check(Assembly assembly, string file)
    {
        foreach (var reference in assembly.GetReferencedAssemblies())
        {
            if (reference.Name is not { } name || !ConnectorLoadContext.Shared.Contains(name) || reference.Version is not { } wanted)
            {
                continue;
            }

            var host = ConnectorLoadContext.HostVersion(name);
            if (string.Equals(name, Sdk, StringComparison.OrdinalIgnoreCase) ? IsCompatible(wanted, host) : wanted <= host)
            {
                continue;
            }

            throw new CliException(Problem(file, name, wanted, host));
        }
    }

    /// <summary>The one line for an incompatible reference: both versions, and what to do.</summary>
    public static string Problem(string file, string name, Version connector, Version host)
    {
        var built = $"{file} was built against {name} {Display(connector)}, and this tributary has {Display(host)}";
        if (connector > host)
        {
            return $"{built}: build the connector against {name} {Display(host)} or older, or use a tributary built with {name} {Display(connector)} or newer.";
        }

        return $"{built}, a newer {(host.Major > 0 ? "major" : "0.x")} version whose API may differ: rebuild the connector against {name} {Series(host)}.";
    }

    /// <summary>A version as its package has it: 1.2.3, with a fourth part only when it is not 0.</summary>
    public static string Display(Version version) => version.Revision > 0 || version.Build < 0 ? version.ToString() : version.ToString(3);

    private static string Series(Version version) => version.Major > 0 ? $"{version.Major}.x" : $"0.{version.Minor}.x";
}
