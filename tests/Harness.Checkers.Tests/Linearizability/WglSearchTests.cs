using Harness.Checkers.Linearizability;
using Harness.Checkers.Linearizability.Models;

namespace Harness.Checkers.Tests.Linearizability;

public sealed class WglSearchTests
{
    /// <summary>40 concurrent writes of distinct values, then a read of a value nobody wrote.</summary>
    private static WglSearch<int, RegisterOp> HardSearch(long maxCacheBytes, long fuel = long.MaxValue)
    {
        var n = 41;
        var ops = new RegisterOp[n];
        var call = new long[n];
        var ret = new long[n];
        for (var i = 0; i < 40; i++)
        {
            ops[i] = new RegisterOp(RegisterOpKind.Write, i + 1, 0);
            call[i] = i;
            ret[i] = 100 + i;
        }
        ops[40] = new RegisterOp(RegisterOpKind.Read, 1000, 0);
        call[40] = 50;
        ret[40] = 200;
        return new WglSearch<int, RegisterOp>(new RegisterModel(), ops, new bool[n], call, ret, 0) { MaxCacheBytes = maxCacheBytes, Fuel = fuel };
    }

    [Fact]
    public void Should_GiveUp_When_TheMemoOutgrowsItsBudget()
    {
        // Given an exponential search and a 1 MB memo budget
        var search = HardSearch(1 << 20);
        // When running it
        var verdict = search.Run(CancellationToken.None);
        // Then it stops with "too large" instead of growing without bound
        Assert.Equal(SearchVerdict.TooLarge, verdict);
    }

    [Fact]
    public void Should_StopWithCancelled_When_TheTokenIsCancelled()
    {
        // Given the same search and a cancelled token
        var search = HardSearch(1L << 40);
        // When running it / Then
        Assert.Equal(SearchVerdict.Cancelled, search.Run(new CancellationToken(canceled: true)));
    }

    [Fact]
    public void Should_StopWithOutOfFuel_When_TheStepsRunOut()
    {
        // Given the exponential search with a limit of 10,000 steps
        var search = HardSearch(1L << 40, fuel: 10_000);
        // When running it / Then it stops undecided, to be retried with more steps
        Assert.Equal(SearchVerdict.OutOfFuel, search.Run(CancellationToken.None));
    }
}
