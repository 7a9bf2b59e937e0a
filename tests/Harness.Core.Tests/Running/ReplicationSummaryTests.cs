using Harness.Core.Checking;
using Harness.Core.Running;

namespace Harness.Core.Tests.Running;

public sealed class ReplicationSummaryTests
{
    [Fact]
    public void Should_Give_Each_Replica_Its_Own_Figures_When_Summarizing_Samples()
    {
        // Given 20 samples of n2 (replay lag 1..20 ms, bytes 100..2000) and 4 of n3, two of them without a replay lag
        var samples = new List<LagSample>();
        for (var i = 1; i <= 20; i++) samples.Add(new LagSample(i, "n2", "n1", "streaming", ReplayLagMs: i, BytesBehind: i * 100));
        samples.Add(new LagSample(1, "n3", "n1", "streaming", ReplayLagMs: 5, BytesBehind: 0));
        samples.Add(new LagSample(2, "n3", "n1", "streaming", ReplayLagMs: 7, BytesBehind: 0));
        samples.Add(new LagSample(3, "n3", "n1", "detached", BytesBehind: 70_000));
        samples.Add(new LagSample(4, "n3", "n1", "detached", BytesBehind: 3_000_000));

        // When they are summarized
        var result = ReplicationSummary.From(samples, failed: 3);

        // Then the result is informational (valid), and per node: percentiles of what was reported, states counted
        Assert.Equal(Validity.Valid, result.Validity);
        Assert.Equal(ReplicationSummary.Checker, result.Checker);
        var n2 = result.Stats!["nodes"]!["n2"]!;
        Assert.Equal(19.0, n2["replay_lag_ms"]!["p95"]!.GetValue<double>());
        Assert.Equal(20.0, n2["replay_lag_ms"]!["max"]!.GetValue<double>());
        Assert.Equal(2000.0, n2["bytes_behind"]!["max"]!.GetValue<double>());
        Assert.Null(n2["write_lag_ms"]);
        var n3 = result.Stats!["nodes"]!["n3"]!;
        Assert.Equal(2, n3["replay_lag_ms"]!["reported"]!.GetValue<int>());
        Assert.Equal(7.0, n3["replay_lag_ms"]!["max"]!.GetValue<double>());
        Assert.Equal(2, n3["states"]!["detached"]!.GetValue<int>());
        Assert.Equal(3, result.Stats!["failed_samples"]!.GetValue<int>());
        Assert.Equal(24, result.Stats!["samples"]!.GetValue<int>());
        Assert.Contains("n3: replay lag p95 7 ms, max 7 ms, up to 2.86 MiB behind", result.Summary, StringComparison.Ordinal);
        Assert.Contains("(3 samples failed or timed out)", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_Say_So_When_No_Replica_Was_Reported()
    {
        // Given no sample at all (e.g. the primary never answered)
        // When summarized
        var result = ReplicationSummary.From([], failed: 12);

        // Then it says so, and stays informational
        Assert.Equal(Validity.Valid, result.Validity);
        Assert.Equal("the database reported no replica (12 samples failed or timed out)", result.Summary);
        Assert.Empty(result.Stats!["nodes"]!.AsObject());
    }
}
