using Harness.Core.Histories;
using Harness.Core.Running;

namespace Harness.Core.Tests.Running;

public sealed class RunStatsTests
{
    private static Operation Nemesis(string f, Datum? value, string? error = null) =>
        new(OpType.Info, Operation.NemesisProcess, f, value) { Error = error };

    private static Datum Nodes(params string[] nodes) =>
        Datum.Map([new(Datum.Of("nodes"), Datum.Vec(nodes.Select(n => Datum.Of(n))))]);

    [Fact]
    public void Should_Count_Injected_Faults_And_Track_Active_Ones_When_Faults_Start_And_Heal()
    {
        // Given
        var stats = new RunStats();

        // When a kill starts, a pause fails to apply, then the kill is healed
        stats.Complete(Nemesis("kill", Nodes("n2")));
        stats.Complete(Nemesis("pause", Nodes("n1"), error: "no such node"));
        var during = stats.ActiveFaults;
        stats.Complete(Nemesis("start", Nodes("n2")));

        // Then only the fault that took effect counts, and nothing is active after the heal
        Assert.Equal("n2", during["kill"]);
        Assert.False(during.ContainsKey("pause"));
        Assert.Equal(1, stats.FaultsInjected);
        Assert.Empty(stats.ActiveFaults);
    }
}
