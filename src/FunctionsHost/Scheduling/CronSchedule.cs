using Cronos;

namespace Tributary.FunctionsHost.Scheduling;

/// <summary>
/// A connection's schedule: an NCRONTAB expression of six fields, <c>{second} {minute} {hour} {day} {month} {day-of-week}</c>,
/// the format of the Azure Functions timer trigger (<c>0 */5 * * * *</c> is every five minutes, <c>0 30 2 * * *</c> is 02:30
/// every day), parsed with Cronos and evaluated in UTC. A five-field expression is refused with the six-field form to write.
/// </summary>
internal sealed class CronSchedule
{
    // How far back LatestAtOrBefore looks for a due time: a schedule with none in ten years never falls due.
    private static readonly TimeSpan LookBack = TimeSpan.FromDays(3660);

    private readonly CronExpression _expression;

    private CronSchedule(string text, CronExpression expression)
    {
        Text = text;
        _expression = expression;
    }

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says what is wrong and how to write it.</summary>
    public static bool TryParse(string text, out CronSchedule? schedule, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        schedule = null;
        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (fields.Length == 5)
        {
            error = $"'{text}' has five fields; schedules are NCRONTAB with six, seconds first, as the Functions timer trigger's: write '0 {string.Join(' ', fields)}'.";
            return false;
        }

        if (fields.Length != 6)
        {
            error = $"'{text}' is not an NCRONTAB schedule: it needs six fields, {{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}}, such as '0 */5 * * * *'.";
            return false;
        }

        try
        {
            schedule = new CronSchedule(text, CronExpression.Parse(string.Join(' ', fields), CronFormat.IncludeSeconds));
            error = null;
            return true;
        }
        catch (CronFormatException ex)
        {
            error = $"'{text}' is not an NCRONTAB schedule: {ex.Message}";
            return false;
        }
    }

    /// <summary>The first due time after <paramref name="after"/>, or <see langword="null"/> when there is none.</summary>
    public DateTimeOffset? Next(DateTimeOffset after) => _expression.GetNextOccurrence(after, TimeZoneInfo.Utc);

    /// <summary>The latest due time at or before <paramref name="now"/>, or <see langword="null"/> when none is within ten years.</summary>
    public DateTimeOffset? LatestAtOrBefore(DateTimeOffset now)
    {
        // Look back in doubling windows for the first one holding a due time, then walk forward to the last one not after now.
        for (var window = TimeSpan.FromSeconds(1); window <= LookBack * 2; window *= 2)
        {
            if (_expression.GetNextOccurrence(now - window, TimeZoneInfo.Utc) is not { } found || found > now)
            {
                continue;
            }

            while (Next(found) is { } next && next <= now)
            {
                found = next;
            }

            return found;
        }

        return null;
    }

    /// <summary>How many due times fall strictly between <paramref name="after"/> and <paramref name="before"/>, counting at most <paramref name="limit"/>.</summary>
    public int CountBetween(DateTimeOffset after, DateTimeOffset before, int limit)
    {
        var count = 0;
        for (var next = Next(after); next is { } due && due < before && count < limit; next = Next(due))
        {
            count++;
        }

        return count;
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}
