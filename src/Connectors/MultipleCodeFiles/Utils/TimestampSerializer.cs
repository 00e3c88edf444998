using System.Globalization;

namespace Tributary.Connectors.MultipleCodeFiles.Utils;

/// <summary>
/// Parses a UTC timestamp written as <c>yyyy/MM/dd HH:mm:ss</c> or <c>yyyy-MM-dd HH:mm:ss</c> and returns it
/// as ISO-8601 with an explicit offset, <c>2024-09-24T14:30:45+00:00</c>.
/// </summary>
internal static class TimestampSerializer
{
    private static readonly string[] Formats = ["yyyy/MM/dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss"];

    /// <summary>Parses <paramref name="timestamp"/> as UTC in one of the accepted formats.</summary>
    /// <exception cref="FormatException">The text is in neither format.</exception>
    public static DateTimeOffset Parse(string timestamp) =>
        DateTimeOffset.TryParseExact(
            timestamp,
            Formats,
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
            out var parsed)
            ? parsed
            : throw new FormatException($"Timestamp format not recognized: {timestamp}");

    /// <summary>Parses <paramref name="timestamp"/> and formats it as ISO-8601 with a <c>+00:00</c> offset.</summary>
    public static string Serialize(string timestamp) =>
        Parse(timestamp).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}
