using Tributary.FunctionsHost.Hosting;

namespace Tributary.FunctionsHost.Tests.Hosting;

public sealed class FunctionBudgetTests
{
    [Theory]
    [InlineData("00:30:00", 24 * 60, 28.5 * 60)]
    [InlineData("00:10:00", 8 * 60, 9.5 * 60)]
    [InlineData("00:01:00", 30, 52.5)]
    [InlineData("-1", 24 * 60, 28.5 * 60)]
    public void FromHostJson_FunctionTimeout_BudgetIsTimeoutMinusMargin(string timeout, double budgetSeconds, double deadlineSeconds)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("tributary-budget-").FullName, "host.json");
        File.WriteAllText(path, $$"""{ "version": "2.0", "functionTimeout": "{{timeout}}" }""");

        var options = FunctionBudget.FromHostJson(path, margin: null);

        Assert.Equal(TimeSpan.FromSeconds(budgetSeconds), options.TimeBudget);
        Assert.Equal(TimeSpan.FromSeconds(deadlineSeconds), options.HardDeadline);
    }

    [Fact]
    public void FromHostJson_RepositoryHostJson_Gives24MinuteBudget()
    {
        var options = FunctionBudget.FromHostJson(Path.Combine(RepositoryRoot.Location, "host.json"), margin: null);

        Assert.Equal(TimeSpan.FromMinutes(24), options.TimeBudget);
    }

    [Fact]
    public void FromTimeout_ExplicitMargin_IsUsed() =>
        Assert.Equal(TimeSpan.FromMinutes(25), FunctionBudget.FromTimeout(TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(5)).TimeBudget);

    [Fact]
    public void FromHostJson_BadTimeout_FailsNamingIt()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("tributary-budget-").FullName, "host.json");
        File.WriteAllText(path, """{ "functionTimeout": "half an hour" }""");

        Assert.Contains("'half an hour'", Assert.Throws<InvalidOperationException>(() => FunctionBudget.FromHostJson(path, null)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromTimeout_MarginAsLongAsTimeout_Fails() =>
        Assert.Throws<InvalidOperationException>(() => FunctionBudget.FromTimeout(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)));
}
