using Harness.Checkers.Cycles;
using Harness.Core.Checking;

namespace Harness.Checkers.Tests.Cycles;

public sealed class RwRegisterCheckerTests
{
    [Theory]
    [InlineData("G0", "serializable",
        "0 ok w 1 1; r 2 2; w 2 1 | 1 ok r 1 1; w 1 2; w 2 2",
        "0 ok w 1 1; r 2 nil; w 2 1 | 1 ok r 1 1; w 1 2; w 2 2")]
    [InlineData("G1c", "read-committed",
        "0 ok w 1 1; r 2 1 | 1 ok w 2 1; r 1 1",
        "0 ok w 1 1; r 2 1 | 1 ok w 2 1; r 1 nil")]
    [InlineData("G-single", "snapshot-isolation",
        "0 ok w 1 1; w 2 1 | 1 ok r 1 1; r 2 nil",
        "0 ok w 1 1; w 2 1 | 1 ok r 1 1; r 2 1")]
    [InlineData("G2-item", "serializable",
        "0 ok r 1 nil; r 2 nil; w 1 1 | 1 ok r 1 nil; r 2 nil; w 2 2",
        "0 ok r 1 nil; r 2 nil; w 1 1 | 1 ok r 1 1; r 2 nil; w 2 2")]
    [InlineData("lost-update", "snapshot-isolation",
        "0 ok r 1 nil; w 1 1 | 1 ok r 1 nil; w 1 2",
        "0 ok r 1 nil; w 1 1 | 1 ok r 1 1; w 1 2")]
    [InlineData("G1a", "read-committed",
        "0 fail w 1 1 | 1 ok r 1 1",
        "0 ok w 1 1 | 1 ok r 1 1")]
    [InlineData("G1b", "read-committed",
        "0 ok w 1 1; w 1 2 | 1 ok r 1 1",
        "0 ok w 1 1; w 1 2 | 1 ok r 1 2")]
    [InlineData("internal", "serializable",
        "0 ok w 1 1; r 1 2",
        "0 ok w 1 1; r 1 1")]
    [InlineData("garbage-read", "read-committed",
        "0 ok w 1 1 | 1 ok r 1 9",
        "0 ok w 1 1 | 1 ok r 1 nil")]
    [InlineData("G-single-realtime", "strict-serializable",
        "0 ok w 1 1 | 1 ok r 1 nil",
        "0 ok w 1 1 | 1 ok r 1 1")]
    public void Should_Report_Anomaly_When_History_Has_It_And_Not_In_Its_Twin(string anomaly, string model, string bad, string good)
    {
        // Given a history with the anomaly and a twin that differs by one transaction
        Assert.Equal(1, TxnScript.Differences(bad, good));
        var checker = new RwRegisterChecker(ConsistencyModels.Parse(model));

        // When both are checked
        var badResult = checker.Check(TxnScript.Build(bad), CancellationToken.None);
        var goodResult = checker.Check(TxnScript.Build(good), CancellationToken.None);

        // Then only the first is invalid, and it names the anomaly
        Assert.Equal(Validity.Invalid, badResult.Validity);
        Assert.Contains(badResult.Anomalies, a => a.Type == anomaly);
        Assert.True(goodResult.Validity == Validity.Valid, goodResult.Summary);
    }

    [Fact]
    public void Should_Be_Unknown_When_A_Value_Is_Written_Twice_To_One_Key()
    {
        // Given two transactions writing the same value to one key, and a reader of it (twin: distinct values)
        var checker = new RwRegisterChecker(ConsistencyModels.Serializable);
        var bad = checker.Check(TxnScript.Build("0 ok w 1 1 | 1 ok w 1 1 | 2 ok r 1 1"), CancellationToken.None);
        var good = checker.Check(TxnScript.Build("0 ok w 1 1 | 1 ok w 1 2 | 2 ok r 1 1"), CancellationToken.None);

        // Then the first is unknown with the duplicate named, the twin valid
        Assert.Equal(Validity.Unknown, bad.Validity);
        Assert.Contains(bad.Anomalies, a => a.Type == "duplicate-writes");
        Assert.Equal(Validity.Valid, good.Validity);
    }

    [Fact]
    public void Should_Explain_The_Anti_Dependency_When_Reporting_Write_Skew()
    {
        // Given write skew: each transaction reads both keys empty and writes one
        var history = TxnScript.Build("0 ok r 1 nil; r 2 nil; w 1 1 | 1 ok r 1 nil; r 2 nil; w 2 2");

        // When checked for serializability
        var result = new RwRegisterChecker(ConsistencyModels.Serializable).Check(history, CancellationToken.None);

        // Then the G2-item cycle explains both rw edges
        var a = Assert.Single(result.Anomalies, x => x.Type == "G2-item");
        Assert.Contains("T1 read key 2 = nil; T2 read the same value and then overwrote it with 2, so T1 rw-precedes T2", a.Explanation);
        Assert.Equal(["rw", "rw"], a.Data!["cycle"]!.AsArray().Select(c => (string?)c!["edge"]));
    }
}
