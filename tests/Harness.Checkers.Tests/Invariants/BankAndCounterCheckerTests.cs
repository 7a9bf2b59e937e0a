using Harness.Checkers.Invariants;
using Harness.Checkers.Tests.Cycles;
using Harness.Core.Checking;
using Harness.Core.Histories;

namespace Harness.Checkers.Tests.Invariants;

public sealed class BankAndCounterCheckerTests
{
    private static Datum Balances(params long[] b) => Datum.Map(b.Select((x, i) => new KeyValuePair<Datum, Datum>(Datum.Of(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), Datum.Of(x))));

    private static Datum Transfer(long from, long to, long amount) =>
        Datum.Map([new(Datum.Of("from"), Datum.Of(from)), new(Datum.Of("to"), Datum.Of(to)), new(Datum.Of("amount"), Datum.Of(amount))]);

    private static History Bank(Datum read) => new TxnHistoryBuilder()
        .Op(OpType.Invoke, 0, "transfer", Transfer(0, 1, 5)).Op(OpType.Ok, 0, "transfer", Transfer(0, 1, 5))
        .Op(OpType.Invoke, 1, "read", Datum.Nil).Op(OpType.Ok, 1, "read", read)
        .Build();

    [Theory]
    [InlineData(new long[] { 5, 14 }, "wrong-total")]
    [InlineData(new long[] { -1, 21 }, "negative-balance")]
    public void Should_Report_Bank_Anomaly_When_A_Read_Breaks_The_Invariant(long[] balances, string type)
    {
        // Given a read whose balances break an invariant (total 20)
        var result = new BankChecker(20).Check(Bank(Balances(balances)), CancellationToken.None);

        // Then it is reported
        Assert.Equal(Validity.Invalid, result.Validity);
        Assert.Contains(result.Anomalies, a => a.Type == type);
    }

    [Fact]
    public void Should_Be_Valid_When_Reads_Keep_The_Total()
    {
        // Given the twin read: balances sum to the total
        var result = new BankChecker(20).Check(Bank(Balances(5, 15)), CancellationToken.None);

        // Then it is valid
        Assert.Equal(Validity.Valid, result.Validity);
    }

    private static History Counter(OpType secondAdd, long read, bool readOverlapsSecondAdd)
    {
        var b = new TxnHistoryBuilder()
            .Op(OpType.Invoke, 0, "add", Datum.Of(1)).Op(OpType.Ok, 0, "add", Datum.Of(1));
        if (readOverlapsSecondAdd)
            return b.Op(OpType.Invoke, 0, "add", Datum.Of(2)).Op(OpType.Invoke, 1, "read", Datum.Nil)
                .Op(secondAdd, 0, "add", Datum.Of(2)).Op(OpType.Ok, 1, "read", Datum.Of(read)).Build();
        return b.Op(OpType.Invoke, 0, "add", Datum.Of(2)).Op(secondAdd, 0, "add", Datum.Of(2))
            .Op(OpType.Invoke, 1, "read", Datum.Nil).Op(OpType.Ok, 1, "read", Datum.Of(read)).Build();
    }

    [Theory]
    [InlineData(OpType.Ok, 1, false, false)]  // both adds acked before the read began: must see 3
    [InlineData(OpType.Ok, 3, false, true)]
    [InlineData(OpType.Ok, 1, true, true)]    // the second add overlaps the read: 1 or 3 are fine
    [InlineData(OpType.Ok, 4, true, false)]   // more than was ever attempted
    [InlineData(OpType.Fail, 3, false, false)] // the failed add never happened
    [InlineData(OpType.Fail, 1, false, true)]
    [InlineData(OpType.Info, 3, false, true)] // unknown: may or may not count
    [InlineData(OpType.Info, 1, false, true)]
    public void Should_Bound_Each_Read_By_Certain_And_Possible_Adds(OpType secondAdd, long read, bool overlap, bool valid)
    {
        // Given an acked add of 1, a second add of 2 with some outcome, and a read
        var history = Counter(secondAdd, read, overlap);

        // When checked
        var result = new CounterChecker().Check(history, CancellationToken.None);

        // Then the read is within bounds exactly when expected
        Assert.Equal(valid ? Validity.Valid : Validity.Invalid, result.Validity);
    }
}
