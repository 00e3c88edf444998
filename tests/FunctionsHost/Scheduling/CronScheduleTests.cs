using Tributary.FunctionsHost.Scheduling;

namespace Tributary.FunctionsHost.Tests.Scheduling;

/// <summary>Due-time arithmetic of six-field NCRONTAB schedules, in UTC (no daylight saving time).</summary>
public sealed class CronScheduleTests
{
    [Theory]
    [InlineData("0 */5 * * * *", "2026-11-27T08:07:30Z", "2026-11-27T08:05:00Z")]
    [InlineData("0 */5 * * * *", "2026-11-27T08:05:00Z", "2026-11-27T08:05:00Z")]   // the due time itself is due
    [InlineData("0 */5 * * * *", "2026-11-27T08:04:59.999Z", "2026-11-27T08:00:00Z")]
    [InlineData("0 30 2 * * *", "2026-11-27T01:00:00Z", "2026-11-26T02:30:00Z")]      // yesterday's
    [InlineData("0 0 0 1 1 *", "2026-11-27T08:00:00Z", "2026-01-01T00:00:00Z")]       // yearly
    [InlineData("0 0 0 29 2 *", "2026-11-27T08:00:00Z", "2024-02-29T00:00:00Z")]      // leap day, two years back
    [InlineData("0 0 12 * * 1-5", "2026-11-29T13:00:00Z", "2026-11-27T12:00:00Z")]    // Sunday: Friday's
    [InlineData("*/10 * * * * *", "2026-11-27T08:00:25Z", "2026-11-27T08:00:20Z")]    // seconds
    [InlineData("0 30 1 * * *", "2026-03-29T03:00:00Z", "2026-03-29T01:30:00Z")]      // Europe's spring-forward night: still 01:30 UTC
    [InlineData("0 30 1 * * *", "2026-10-25T03:00:00Z", "2026-10-25T01:30:00Z")]      // and its fall-back night
    public void LatestAtOrBefore_UtcSchedules_IsTheLastDueTimeNotAfterNow(string expression, string now, string expected)
    {
        var schedule = Parse(expression);

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), schedule.LatestAtOrBefore(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("0 */5 * * * *", "2026-11-27T08:05:00Z", "2026-11-27T08:10:00Z")]
    [InlineData("0 0 * * * *", "2026-12-31T23:30:00Z", "2027-01-01T00:00:00Z")]      // across a year
    [InlineData("0 0 0 1 * *", "2026-02-15T00:00:00Z", "2026-03-01T00:00:00Z")]      // across a short month
    [InlineData("0 0 0 31 * *", "2026-04-01T00:00:00Z", "2026-05-31T00:00:00Z")]     // April has no 31st
    public void Next_UtcSchedules_IsTheFirstDueTimeAfter(string expression, string after, string expected) =>
        Assert.Equal(
            DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            Parse(expression).Next(DateTimeOffset.Parse(after, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void LatestAtOrBefore_ImpossibleDate_IsNull() =>
        Assert.Null(Parse("0 0 0 30 2 *").LatestAtOrBefore(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero)));

    [Fact]
    public void CountBetween_AnHourOfFiveMinuteDueTimes_CountsThoseStrictlyBetween()
    {
        var schedule = Parse("0 */5 * * * *");
        var start = new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);

        Assert.Equal(11, schedule.CountBetween(start, start.AddHours(1), 1000));
        Assert.Equal(3, schedule.CountBetween(start, start.AddHours(1), 3));
    }

    [Theory]
    [InlineData("*/5 * * * *", "has five fields", "write '0 */5 * * * *'")]
    [InlineData("0 61 * * * *", "is not an NCRONTAB schedule", "'0 61 * * * *'")]
    [InlineData("every five minutes", "it needs six fields", "such as '0 */5 * * * *'")]
    [InlineData("00:05:00", "it needs six fields", "{second} {minute} {hour} {day} {month} {day-of-week}")]
    public void TryParse_Malformed_FailsSayingWhatToWrite(string expression, string reason, string hint)
    {
        Assert.False(CronSchedule.TryParse(expression, out var schedule, out var error));

        Assert.Null(schedule);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.Contains(hint, error, StringComparison.Ordinal);
    }

    private static CronSchedule Parse(string expression)
    {
        Assert.True(CronSchedule.TryParse(expression, out var schedule, out var error), error);
        return schedule!;
    }
}
