namespace Tributary.Sdk.Http;

/// <summary>RFC 8288 <c>Link</c> header values: <c>&lt;uri&gt;; rel="next last"; title="…", &lt;uri2&gt;; rel=prev</c>.</summary>
internal static class LinkHeader
{
    public readonly record struct Link(string Target, IReadOnlyList<string> Relations);

    public static IEnumerable<Link> Parse(string value)
    {
        var position = 0;
        while (true)
        {
            var open = value.IndexOf('<', position);
            var close = open < 0 ? -1 : value.IndexOf('>', open + 1);
            if (close < 0)
            {
                yield break;
            }

            var target = value[(open + 1)..close].Trim();
            var end = NextLinkStart(value, close + 1);
            var relations = new List<string>();
            foreach (var parameter in value[(close + 1)..end].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var equals = parameter.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0 && parameter[..equals].Trim().Equals("rel", StringComparison.OrdinalIgnoreCase))
                {
                    relations.AddRange(parameter[(equals + 1)..].Trim().Trim('"').Split(' ', StringSplitOptions.RemoveEmptyEntries));
                }
            }

            yield return new Link(target, relations);
            position = end;
        }
    }

    // The comma that starts the next link: one outside a quoted parameter value.
    private static int NextLinkStart(string value, int from)
    {
        var quoted = false;
        for (var i = from; i < value.Length; i++)
        {
            if (value[i] == '"')
            {
                quoted = !quoted;
            }
            else if (value[i] == ',' && !quoted)
            {
                return i;
            }
        }

        return value.Length;
    }
}
