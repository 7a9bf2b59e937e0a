using Harness.Checkers.Invariants;
using Harness.Core.Checking;
using Harness.Core.Histories;

namespace Harness.Checkers.Tests.Invariants;

public sealed class SetCheckerTests
{
    private static History Set(params (int Process, string F, long[] Value, OpType Outcome)[] ops)
    {
        var list = new List<Operation>();
        var t = 0L;
        foreach (var (p, f, v, outcome) in ops)
        {
            var value = f == "add" ? Datum.Of(v[0]) : Datum.Nil;
            list.Add(new Operation(OpType.Invoke, p, f, value) { TimeNanos = t++ });
            var done = f == "read" && outcome == OpType.Ok ? Datum.Ints(v) : value;
            list.Add(new Operation(outcome, p, f, done) { TimeNanos = t++ });
        }
        return new History(list);
    }

    [Fact]
    public void Should_Report_Lost_Writes_When_Acknowledged_Adds_Are_Missing()
    {
        // Given three acknowledged adds and a final read that lacks two of them
        var history = Set((0, "add", [1], OpType.Ok), (1, "add", [2], OpType.Ok), (0, "add", [3], OpType.Ok), (1, "read", [1], OpType.Ok));

        // When checked
        var result = new SetChecker().Check(history, CancellationToken.None);

        // Then the summary leads with the loss and the data lists each lost element with its add
        Assert.Equal(Validity.Invalid, result.Validity);
        Assert.StartsWith("2 acknowledged writes were LOST", result.Summary);
        var lost = Assert.Single(result.Anomalies).Data!["lost"]!.AsArray();
        Assert.Equal([2L, 3L], lost.Select(l => (long)l!["element"]!));
        Assert.Equal(2L, (long)lost[0]!["add_op"]!);
        Assert.Equal(3L, (long)lost[0]!["ack_time"]!);
    }

    [Fact]
    public void Should_Be_Valid_When_Every_Acknowledged_Add_Is_Read()
    {
        // Given the twin of the lost-write history: the final read holds every acknowledged add
        var history = Set((0, "add", [1], OpType.Ok), (1, "add", [2], OpType.Ok), (0, "add", [3], OpType.Ok), (1, "read", [1, 2, 3], OpType.Ok));

        // When checked
        var result = new SetChecker().Check(history, CancellationToken.None);

        // Then it is valid
        Assert.Equal(Validity.Valid, result.Validity);
    }

    [Fact]
    public void Should_Count_Recovered_And_Allow_Missing_When_Adds_Are_Unacknowledged()
    {
        // Given one info add that was read and one info add that was not
        var history = Set((0, "add", [1], OpType.Info), (1, "add", [2], OpType.Info), (2, "read", [1], OpType.Ok));

        // When checked
        var result = new SetChecker().Check(history, CancellationToken.None);

        // Then it is valid, with one recovered element
        Assert.Equal(Validity.Valid, result.Validity);
        Assert.Equal(1, (int)result.Stats!["recovered"]!);
    }

    [Theory]
    [InlineData(new long[] { 1, 9 }, "unexpected-element")] // never attempted
    [InlineData(new long[] { 1, 2 }, "unexpected-element")] // its add failed
    [InlineData(new long[] { 1, 1 }, "duplicate-element")]
    public void Should_Report_Unexpected_Or_Duplicate_Elements_When_The_Read_Has_Them(long[] read, string type)
    {
        // Given an ok add of 1, a failed add of 2, and a final read
        var history = Set((0, "add", [1], OpType.Ok), (1, "add", [2], OpType.Fail), (2, "read", read, OpType.Ok));

        // When checked
        var result = new SetChecker().Check(history, CancellationToken.None);

        // Then the anomaly is reported
        Assert.Equal(Validity.Invalid, result.Validity);
        Assert.Contains(result.Anomalies, a => a.Type == type);
    }

    [Fact]
    public void Should_Be_Unknown_When_There_Is_No_Successful_Read()
    {
        // Given adds and a read that timed out
        var history = Set((0, "add", [1], OpType.Ok), (1, "read", [], OpType.Info));

        // When checked
        var result = new SetChecker().Check(history, CancellationToken.None);

        // Then the verdict is unknown
        Assert.Equal(Validity.Unknown, result.Validity);
    }

    [Fact]
    public void Should_Report_Lost_When_Any_Final_Read_Misses_An_Acknowledged_Add()
    {
        // Given two adds, then two clients' final reads, one of which (op 5) lacks element 2
        var history = Set((0, "add", [1], OpType.Ok), (1, "add", [2], OpType.Ok), (0, "read", [1], OpType.Ok), (1, "read", [1, 2], OpType.Ok));

        // When checked
        var result = new SetChecker().Check(history, CancellationToken.None);

        // Then element 2 is lost, missing from op 5
        Assert.Equal(Validity.Invalid, result.Validity);
        var lost = Assert.Single(Assert.Single(result.Anomalies).Data!["lost"]!.AsArray());
        Assert.Equal(2L, (long)lost!["element"]!);
        Assert.Equal([5L], lost["missing_from"]!.AsArray().Select(x => (long)x!));
    }

    [Fact]
    public void Should_Ignore_Reads_Concurrent_With_Adds_When_Final_Reads_Exist()
    {
        // Given an early read (op 1..2) before the adds, then a complete final read
        var history = Set((0, "read", [], OpType.Ok), (0, "add", [1], OpType.Ok), (1, "read", [1], OpType.Ok));

        // When checked
        var result = new SetChecker().Check(history, CancellationToken.None);

        // Then only the final read counts: valid
        Assert.Equal(Validity.Valid, result.Validity);
        Assert.Equal(1, (int)result.Stats!["final_reads"]!);
    }
}
