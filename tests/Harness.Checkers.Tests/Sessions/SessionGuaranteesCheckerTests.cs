using Harness.Checkers.Sessions;
using Harness.Checkers.Tests.Cycles;
using Harness.Core.Checking;

namespace Harness.Checkers.Tests.Sessions;

public sealed class SessionGuaranteesCheckerTests
{
    [Theory]
    [InlineData("read-your-writes",
        "0 ok append 1 1 | 1 ok r 1 [1] | 0 ok r 1 []",
        "0 ok append 1 1 | 1 ok r 1 [1] | 0 ok r 1 [1]")]
    [InlineData("read-your-writes", // the session's append never became visible at all
        "0 ok append 1 1 | 0 ok r 1 []",
        "0 ok append 1 1 | 0 ok r 1 [1]")]
    [InlineData("monotonic-reads",
        "0 ok append 1 1 | 1 ok r 1 [1] | 1 ok r 1 []",
        "0 ok append 1 1 | 1 ok r 1 [1] | 1 ok r 1 [1]")]
    [InlineData("monotonic-writes", // same key: the later write is ordered first
        "0 ok append 1 1 | 0 ok append 1 2 | 1 ok r 1 [2 1]",
        "0 ok append 1 1 | 0 ok append 1 2 | 1 ok r 1 [1 2]")]
    [InlineData("monotonic-writes", // across keys: an observer sees the later write without the earlier one
        "0 ok append 1 1 | 0 ok append 2 1 | 1 ok r 2 [1]; r 1 []",
        "0 ok append 1 1 | 0 ok append 2 1 | 1 ok r 2 [1]; r 1 [1]")]
    [InlineData("writes-follow-reads",
        "0 ok append 1 1 | 1 ok r 1 [1] | 1 ok append 2 1 | 2 ok r 2 [1]; r 1 []",
        "0 ok append 1 1 | 1 ok r 1 [1] | 1 ok append 2 1 | 2 ok r 2 [1]; r 1 [1]")]
    [InlineData("consistent-prefix", // one key: a read that is not a prefix of the longest
        "0 ok append 1 1 | 1 ok append 1 2 | 2 ok r 1 [1 2] | 3 ok r 1 [2]",
        "0 ok append 1 1 | 1 ok append 1 2 | 2 ok r 1 [1 2] | 3 ok r 1 [1]")]
    [InlineData("consistent-prefix", // two keys: a long fork, snapshots that no single order contains
        "0 ok append 1 1 | 1 ok append 2 1 | 2 ok r 1 [1]; r 2 [] | 3 ok r 1 []; r 2 [1]",
        "0 ok append 1 1 | 1 ok append 2 1 | 2 ok r 1 [1]; r 2 [] | 3 ok r 1 [1]; r 2 [1]")]
    public void Should_Report_Violation_When_History_Breaks_The_Guarantee_And_Not_In_Its_Twin(string guarantee, string bad, string good)
    {
        // Given a history breaking the guarantee and a twin that differs by one transaction
        Assert.Equal(1, TxnScript.Differences(bad, good));
        var checker = new SessionGuaranteesChecker();

        // When both are checked
        var badResult = checker.Check(TxnScript.Build(bad), CancellationToken.None);
        var goodResult = checker.Check(TxnScript.Build(good), CancellationToken.None);

        // Then only the first is invalid, and the violation is of that guarantee
        Assert.Equal(Validity.Invalid, badResult.Validity);
        Assert.Contains(badResult.Anomalies, a => a.Type == guarantee);
        Assert.True(goodResult.Validity == Validity.Valid, goodResult.Summary);
    }

    [Fact]
    public void Should_Describe_Session_Ops_And_Versions_When_Reads_Go_Backwards()
    {
        // Given session 1 reads key 1 at version 1 (op 3), then at version 0 (op 5)
        var history = TxnScript.Build("0 ok append 1 1 | 1 ok r 1 [1] | 1 ok r 1 []");

        // When checked
        var result = new SessionGuaranteesChecker().Check(history, CancellationToken.None);

        // Then the data names the session, key, ops, offending op and versions
        var a = Assert.Single(result.Anomalies);
        var d = a.Data!;
        Assert.Equal(1L, (long)d["session"]!);
        Assert.Equal("monotonic-reads", (string?)d["guarantee"]);
        Assert.Equal(1L, (long)d["key"]!);
        Assert.Equal([3L, 5L], d["ops"]!.AsArray().Select(x => (long)x!));
        Assert.Equal(5L, (long)d["offending_op"]!);
        Assert.Equal(1L, (long)d["expected_at_least"]!);
        Assert.Equal(0L, (long)d["observed"]!);
        Assert.Contains("session 1: op 5 read key 1 at version 0, older than version 1", a.Explanation);
    }

    [Fact]
    public void Should_Check_Only_Selected_Guarantees_When_Options_Say_So()
    {
        // Given a read-your-writes violation
        var history = TxnScript.Build("0 ok append 1 1 | 1 ok r 1 [1] | 0 ok r 1 []");

        // When only monotonic reads is checked
        var result = new SessionGuaranteesChecker(new SessionGuaranteesOptions { Guarantees = SessionGuarantees.MonotonicReads })
            .Check(history, CancellationToken.None);

        // Then it is valid
        Assert.Equal(Validity.Valid, result.Validity);
    }

    [Fact]
    public void Should_Span_Reconnects_When_Sessions_Are_Logical_Threads()
    {
        // Given process 0 appends, crashes (info), and its worker continues as process 2, missing the append
        var history = TxnScript.Build("0 ok append 1 1 | 1 ok r 1 [1] | 0 info append 3 3 | 2 ok r 1 []");

        // When checked with per-process sessions and with per-thread sessions (concurrency 2)
        var byProcess = new SessionGuaranteesChecker().Check(history, CancellationToken.None);
        var byThread = new SessionGuaranteesChecker(new SessionGuaranteesOptions { SessionOf = SessionGuaranteesOptions.ByThread(2) })
            .Check(history, CancellationToken.None);

        // Then only the logical session sees a read-your-writes violation
        Assert.Equal(Validity.Valid, byProcess.Validity);
        Assert.Contains(byThread.Anomalies, a => a.Type == "read-your-writes");
    }
}
