using Harness.Checkers.Cycles;
using Harness.Checkers.Replication;
using Harness.Core.Checking;
using Harness.Core.Histories;

namespace Harness.Checkers.Tests.Replication;

public sealed class VisibilityCheckerTests
{
    private static readonly long Ms = 1_000_000;

    private static Datum Append(long k, long v) => Datum.Vec(Datum.Of("append"), Datum.Of(k), Datum.Of(v));

    private static Datum ReadOf(long k, params long[] seen) => Datum.Vec(Datum.Of("r"), Datum.Of(k), Datum.Vec(seen.Select(Datum.Of)));

    /// <summary>One write of 1 to key 0 acknowledged at 10 ms; reads on n2 at the given times seeing it or not.</summary>
    private static History HistoryOf(params (long AtMs, bool Sees)[] reads)
    {
        var ops = new List<Operation>
        {
            new(OpType.Invoke, 0, "txn", Datum.Vec(Append(0, 1))) { TimeNanos = 5 * Ms, Node = "n1" },
            new(OpType.Ok, 0, "txn", Datum.Vec(Append(0, 1))) { TimeNanos = 10 * Ms, Node = "n1" },
        };
        var p = 1;
        foreach (var (at, sees) in reads)
        {
            var value = Datum.Vec(sees ? ReadOf(0, 1) : ReadOf(0));
            ops.Add(new(OpType.Invoke, p, "txn", Datum.Vec(ReadOf(0).Items.Take(2).Append(Datum.Nil))) { TimeNanos = at * Ms, Node = "n2" });
            ops.Add(new(OpType.Ok, p, "txn", value) { TimeNanos = (at + 1) * Ms, Node = "n2" });
            p++;
        }
        return new History(ops.Select((o, i) => o with { Index = i }));
    }

    [Fact]
    public void Should_Count_Stale_Reads_And_Bound_The_Lag_By_The_Last_Read_That_Missed_The_Write()
    {
        // Given reads at 20 ms (missed), 60 ms (missed) and 110 ms (saw) after a write acknowledged at 10 ms
        var result = new VisibilityChecker().Check(HistoryOf((20, false), (60, false), (110, true)), CancellationToken.None);

        // Then two of three reads were stale, and the write was invisible for at least 50 ms on n2
        Assert.Equal(Validity.Valid, result.Validity);
        Assert.Equal(2, result.Stats!["stale_reads"]!.GetValue<long>());
        Assert.Equal(3, result.Stats!["reads"]!.GetValue<long>());
        Assert.Equal(50.0, result.Stats!["lag_ms"]!["max"]!.GetValue<double>());
        Assert.Equal(50.0, result.Stats!["lag_ms_by_node"]!["n2"]!["max"]!.GetValue<double>());
    }

    [Fact]
    public void Should_Draw_The_T_Visibility_Curve_On_Fixed_Axes()
    {
        // Given reads 10 ms (missed) and 100 ms (saw) after the acknowledgement
        var result = new VisibilityChecker().Check(HistoryOf((20, false), (110, true)), CancellationToken.None);

        // Then P(seen) is 0 in the 10 ms bin and 1 in the 100 ms bin, and every bin is there
        var curve = result.Stats!["t_visibility"]!.AsArray();
        Assert.Equal(VisibilityChecker.CurveMillis.Length, curve.Count);
        Assert.Equal(0.0, curve.Single(b => b!["t_ms"]!.GetValue<double>() == 10)!["p_seen"]!.GetValue<double>());
        Assert.Equal(1.0, curve.Single(b => b!["t_ms"]!.GetValue<double>() == 100)!["p_seen"]!.GetValue<double>());
        Assert.Null(curve.Single(b => b!["t_ms"]!.GetValue<double>() == 1000)!["p_seen"]);
    }

    [Fact]
    public void Should_Find_No_Stale_Read_When_Every_Read_Sees_The_Write()
    {
        var result = new VisibilityChecker().Check(HistoryOf((11, true), (12, true)), CancellationToken.None);
        Assert.Equal(0, result.Stats!["stale_reads"]!.GetValue<long>());
        Assert.Equal(0.0, result.Stats!["lag_ms"]!["max"]!.GetValue<double>());
    }

    [Theory]
    [InlineData(new string[0], "serializable", "")]
    [InlineData(new[] { "G2-item" }, "snapshot-isolation", "repeatable-read")]
    [InlineData(new[] { "internal" }, "repeatable-read", "snapshot-isolation")]
    [InlineData(new[] { "G-single" }, "read-committed", "repeatable-read,snapshot-isolation")]
    [InlineData(new[] { "G1c" }, "read-uncommitted", "read-committed")]
    [InlineData(new[] { "G0" }, "", "read-uncommitted")]
    public void Should_Name_The_Strongest_Levels_Satisfied_And_The_Weakest_Violated(string[] found, string satisfied, string violated)
    {
        // Given / When
        var (sat, vio) = CycleReport.Ladder(found);

        // Then
        Assert.Equal(satisfied, string.Join(',', sat));
        Assert.Equal(violated.Split(',', StringSplitOptions.RemoveEmptyEntries).Order(), vio.Select(v => v.Name).Order());
    }
}
