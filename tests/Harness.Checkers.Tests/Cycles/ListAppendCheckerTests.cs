using Harness.Checkers.Cycles;
using Harness.Core;
using Harness.Core.Checking;

namespace Harness.Checkers.Tests.Cycles;

public sealed class ListAppendCheckerTests
{
    // Each case: the anomaly, the model that forbids it, a history with it, and a twin differing by one transaction.
    [Theory]
    [InlineData("G0", "serializable",
        "0 ok append 1 10; append 2 10 | 1 ok append 1 20; append 2 20 | 2 ok r 1 [10 20]; r 2 [20 10]",
        "0 ok append 1 10; append 2 10 | 1 ok append 1 20; append 2 20 | 2 ok r 1 [10 20]; r 2 [10 20]")]
    [InlineData("G1c", "read-committed",
        "0 ok append 1 1; r 2 [1] | 1 ok append 2 1; r 1 [1]",
        "0 ok append 1 1; r 2 [1] | 1 ok append 2 1; r 1 []")]
    [InlineData("G-single", "snapshot-isolation",
        "0 ok append 1 1; append 2 1 | 1 ok r 1 [1]; r 2 []",
        "0 ok append 1 1; append 2 1 | 1 ok r 1 [1]; r 2 [1]")]
    [InlineData("G-nonadjacent", "snapshot-isolation",
        "0 ok r 1 []; r 2 [1] | 1 ok append 1 1 | 2 ok r 1 [1]; r 2 [] | 3 ok append 2 1",
        "0 ok r 1 []; r 2 [1] | 1 ok append 1 1 | 2 ok r 1 [1]; r 2 [1] | 3 ok append 2 1")]
    [InlineData("G2-item", "serializable",
        "0 ok r 1 []; r 2 []; append 1 1 | 1 ok r 1 []; r 2 []; append 2 1",
        "0 ok r 1 []; r 2 []; append 1 1 | 1 ok r 1 [1]; r 2 []; append 2 1")]
    [InlineData("G2-item", "repeatable-read",
        "0 ok r 1 []; r 2 []; append 1 1 | 1 ok r 1 []; r 2 []; append 2 1",
        "0 ok r 1 []; r 2 []; append 1 1 | 1 ok r 1 [1]; r 2 []; append 2 1")]
    [InlineData("lost-update", "snapshot-isolation",
        "0 ok r 1 []; append 1 1 | 1 ok r 1 []; append 1 2 | 2 ok r 1 [1 2]",
        "0 ok r 1 []; append 1 1 | 1 ok r 1 [1]; append 1 2 | 2 ok r 1 [1 2]")]
    [InlineData("G1a", "read-committed",
        "0 fail append 1 1 | 1 ok r 1 [1]",
        "0 ok append 1 1 | 1 ok r 1 [1]")]
    [InlineData("G1b", "read-committed",
        "0 ok append 1 1; append 1 2 | 1 ok r 1 [1]",
        "0 ok append 1 1; append 1 2 | 1 ok r 1 [1 2]")]
    [InlineData("internal", "snapshot-isolation",
        "0 ok append 1 1; r 1 []",
        "0 ok append 1 1; r 1 [1]")]
    [InlineData("internal", "serializable",
        "0 ok append 1 1 | 1 ok r 1 [1]; append 1 2; r 1 [1 3]",
        "0 ok append 1 1 | 1 ok r 1 [1]; append 1 2; r 1 [1 2]")]
    [InlineData("duplicate-elements", "read-uncommitted",
        "0 ok append 1 1 | 1 ok r 1 [1 1]",
        "0 ok append 1 1 | 1 ok r 1 [1]")]
    [InlineData("incompatible-order", "read-committed",
        "0 ok append 1 1 | 1 ok append 1 2 | 2 ok r 1 [1 2] | 3 ok r 1 [2 1]",
        "0 ok append 1 1 | 1 ok append 1 2 | 2 ok r 1 [1 2] | 3 ok r 1 [1]")]
    [InlineData("garbage-read", "read-committed",
        "0 ok append 1 1 | 1 ok r 1 [1 7]",
        "0 ok append 1 1 | 1 ok r 1 [1]")]
    [InlineData("G-single-realtime", "strict-serializable",
        "0 ok append 1 1 | 1 ok r 1 []",
        "0 ok append 1 1 | 1 ok r 1 [1]")]
    [InlineData("G-single-process", "strong-session-serializable",
        "0 ok append 1 1 | 0 ok r 1 []",
        "0 ok append 1 1 | 0 ok r 1 [1]")]
    [InlineData("G-single-process", "strong-session-snapshot-isolation",
        "0 ok append 1 1 | 0 ok r 1 []",
        "0 ok append 1 1 | 0 ok r 1 [1]")]
    [InlineData("G0-realtime", "strict-serializable",
        "0 ok append 1 1 | 1 ok append 1 2 | 2 ok r 1 [2 1]",
        "0 ok append 1 1 | 1 ok append 1 2 | 2 ok r 1 [1 2]")]
    [InlineData("G1c-process", "strong-session-read-committed",
        "0 ok r 1 [1] | 0 ok append 1 1",
        "0 ok r 1 [] | 0 ok append 1 1")]
    [InlineData("G0-process", "strong-session-read-uncommitted",
        "0 ok append 1 1 | 0 ok append 1 2 | 1 ok r 1 [2 1]",
        "0 ok append 1 1 | 0 ok append 1 2 | 1 ok r 1 [1 2]")]
    [InlineData("G1c-realtime", "strong-read-committed",
        "0 ok r 1 [1] | 1 ok append 1 1",
        "0 ok r 1 [] | 1 ok append 1 1")]
    [InlineData("G-nonadjacent-process", "strong-session-snapshot-isolation",
        "0 ok append 2 1 | 0 ok r 1 [] | 1 ok append 1 1 | 2 ok r 1 [1]; r 2 []",
        "0 ok append 2 1 | 0 ok r 1 [] | 1 ok append 1 1 | 2 ok r 1 [1]; r 2 [1]")]
    public void Should_Report_Anomaly_When_History_Has_It_And_Not_In_Its_Twin(string anomaly, string model, string bad, string good)
    {
        // Given a history with the anomaly and a twin that differs by one transaction
        Assert.Equal(1, TxnScript.Differences(bad, good));
        var checker = new ListAppendChecker(ConsistencyModels.Parse(model));

        // When both are checked
        var badResult = checker.Check(TxnScript.Build(bad), CancellationToken.None);
        var goodResult = checker.Check(TxnScript.Build(good), CancellationToken.None);

        // Then only the first is invalid, and it names the anomaly
        Assert.Equal(Validity.Invalid, badResult.Validity);
        Assert.Contains(badResult.Anomalies, a => a.Type == anomaly);
        Assert.Equal(Validity.Valid, goodResult.Validity);
        Assert.DoesNotContain(goodResult.Anomalies, a => a.Type == anomaly);
    }

    [Theory]
    [InlineData("0 ok r 1 []; r 2 []; append 1 1 | 1 ok r 1 []; r 2 []; append 2 1", "snapshot-isolation")] // write skew
    [InlineData("0 ok append 1 1; append 2 1 | 1 ok r 1 [1]; r 2 []", "read-committed")] // G-single
    [InlineData("0 ok append 1 1 | 1 ok r 1 []", "serializable")] // stale read: only real-time order forbids it
    [InlineData("0 ok append 1 1 | 0 ok r 1 []", "serializable")] // own write missed: only process order forbids it
    public void Should_Be_Valid_When_The_Model_Allows_The_Anomaly(string script, string model)
    {
        // Given a history whose anomaly the model allows
        var checker = new ListAppendChecker(ConsistencyModels.Parse(model));

        // When it is checked
        var result = checker.Check(TxnScript.Build(script), CancellationToken.None);

        // Then it is valid
        Assert.Equal(Validity.Valid, result.Validity);
    }

    [Fact]
    public void Should_SayTheHistoryContradictsTheLevelsName_When_ItBreaksTheNamedLevelButNotThePromise()
    {
        // Given a lost update, checked as read committed (the level's documented promise) for a level called repeatable read
        var history = TxnScript.Build("0 ok r 1 []; append 1 1 | 1 ok r 1 []; append 1 2 | 2 ok r 1 [1 2]");
        var checker = new ListAppendChecker(ConsistencyModels.Parse("read-committed"), levelName: "repeatable-read");

        // When it is checked
        var result = checker.Check(history, CancellationToken.None);

        // Then it keeps its promise, and the summary says plainly that it breaks the level's name
        Assert.Equal(Validity.Valid, result.Validity);
        Assert.Contains("The level is called repeatable-read, but the history shows G-single (1), lost-update (1), which repeatable-read forbids: this contradicts the level's name",
            result.Summary, StringComparison.Ordinal);
        Assert.Contains(result.Stats!["contradicts_level"]!.AsArray(), a => a!.GetValue<string>() == "lost-update");
    }

    [Fact]
    public void Should_SayNothingOfTheName_When_TheHistoryKeepsIt()
    {
        var history = TxnScript.Build("0 ok r 1 []; append 1 1 | 1 ok r 1 [1]; append 1 2 | 2 ok r 1 [1 2]");
        var result = new ListAppendChecker(ConsistencyModels.Parse("read-committed"), levelName: "repeatable-read").Check(history, CancellationToken.None);
        Assert.DoesNotContain("contradicts", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_Explain_Each_Edge_When_Reporting_A_Cycle()
    {
        // Given T1 appends to keys 1 and 2, and T2 sees the append on key 1 but not on key 2
        var history = TxnScript.Build("0 ok append 1 1; append 2 3 | 1 ok r 1 [1]; r 2 []");

        // When checked for snapshot isolation
        var result = new ListAppendChecker(ConsistencyModels.Parse("snapshot-isolation")).Check(history, CancellationToken.None);

        // Then the G-single cycle names both transactions, edges and reasons
        var a = Assert.Single(result.Anomalies, x => x.Type == "G-single");
        Assert.Contains("T1 appended 3 to key 2, which no read observed; T2 read key 2 = [], without it, so T2 rw-precedes T1", a.Explanation);
        var cycle = a.Data!["cycle"]!.AsArray();
        Assert.Equal(2, cycle.Count);
        Assert.Equal("G-single", (string?)a.Data["anomaly"]);
        var edges = cycle.Select(c => (string?)c!["edge"]).Order().ToList();
        Assert.Equal(["rw", "wr"], edges);
        var rw = cycle.Single(c => (string?)c!["edge"] == "rw")!;
        Assert.Equal(3L, (long)rw["op"]!);
        Assert.Equal(1L, (long)rw["to"]!);
        Assert.Equal("r 1 [1]; r 2 []", (string?)rw["txn"]);
    }

    [Fact]
    public void Should_Ignore_Unread_Appends_Of_Info_Transactions_When_Inferring()
    {
        // Given an info transaction whose append nobody read, and a reader of the empty list
        var history = TxnScript.Build("0 info append 1 1 | 1 ok r 1 []");

        // When checked strictly
        var result = new ListAppendChecker(ConsistencyModels.StrictSerializable).Check(history, CancellationToken.None);

        // Then nothing is reported: the append may never have happened
        Assert.Equal(Validity.Valid, result.Validity);
    }

    [Fact]
    public void Should_Be_Unknown_When_A_Value_Is_Appended_Twice_To_One_Key()
    {
        // Given two transactions appending the same value to the same key (its twin uses distinct values)
        var bad = TxnScript.Build("0 ok append 1 1 | 1 ok append 1 1 | 2 ok r 1 [1]");
        var good = TxnScript.Build("0 ok append 1 1 | 1 ok append 1 2 | 2 ok r 1 [1 2]");

        // When checked
        var checker = new ListAppendChecker(ConsistencyModels.Serializable);
        var badResult = checker.Check(bad, CancellationToken.None);

        // Then the verdict is unknown (reads are ambiguous), the twin is valid
        Assert.Equal(Validity.Unknown, badResult.Validity);
        Assert.Contains(badResult.Anomalies, a => a.Type == "duplicate-writes");
        Assert.Equal(Validity.Valid, checker.Check(good, CancellationToken.None).Validity);
    }

    [Fact]
    public void Should_Throw_User_Error_Listing_Models_When_Model_Is_Unknown()
    {
        // Given an unknown model name
        // When parsed
        var e = Assert.Throws<UserErrorException>(() => ConsistencyModels.Parse("serialisable"));

        // Then the message lists the valid names
        Assert.Contains("strict-serializable", e.Message);
        Assert.Contains("serialisable", e.Message);
    }
}
