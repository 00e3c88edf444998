using System.Buffers;
using System.Collections.Frozen;
using System.Text;

namespace Tributary.Runtime.Schema;

/// <summary>
/// Destination names: lower snake case; characters outside <c>[a-z0-9_]</c> become <c>_</c>; a leading
/// digit or an SQL reserved word gets a <c>_</c> prefix. <c>firstName</c> → <c>first_name</c>,
/// <c>HTTPServer</c> → <c>http_server</c>, <c>order</c> → <c>_order</c>, <c>2fa</c> → <c>_2fa</c>.
/// </summary>
public static class Names
{
    // Words DuckDB and PostgreSQL both refuse as bare identifiers. Quoting makes them work, but a table a
    // user queries by hand should not need quotes.
    private static readonly FrozenSet<string> Reserved = FrozenSet.ToFrozenSet(
    [
        "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case", "cast",
        "check", "collate", "column", "constraint", "create", "default", "deferrable", "desc", "distinct", "do",
        "else", "end", "except", "false", "fetch", "for", "foreign", "from", "grant", "group", "having", "in",
        "initially", "intersect", "into", "lateral", "leading", "limit", "not", "null", "offset", "on", "only",
        "or", "order", "placing", "primary", "references", "returning", "select", "some", "symmetric", "table",
        "then", "to", "trailing", "true", "union", "unique", "using", "variadic", "when", "where", "window", "with",
    ], StringComparer.Ordinal);

    private static readonly SearchValues<char> SnakeCase = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789_");

    /// <summary>Whether <paramref name="name"/> is already a lower snake case name (a connector's registered name, say).</summary>
    public static bool IsSnakeCase(string name) => name.Length > 0 && !name.AsSpan().ContainsAnyExcept(SnakeCase);

    /// <summary>Normalises a source name to a destination name.</summary>
    /// <exception cref="ArgumentException">The name is empty or whitespace.</exception>
    public static string Normalize(string sourceName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceName);
        var name = sourceName.Trim();
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                // A word boundary: "firstName" and the last capital of an acronym followed by a word ("HTTPServer").
                var previous = i > 0 ? name[i - 1] : '\0';
                var next = i + 1 < name.Length ? name[i + 1] : '\0';
                if (i > 0 && (char.IsLower(previous) || char.IsDigit(previous) || (char.IsUpper(previous) && char.IsLower(next))))
                {
                    builder.Append('_');
                }

                c = char.ToLowerInvariant(c);
            }

            builder.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' ? c : '_');
        }

        var result = builder.ToString();
        return char.IsAsciiDigit(result[0]) || Reserved.Contains(result) ? "_" + result : result;
    }
}
