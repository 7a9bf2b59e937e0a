using Harness.Checkers.Linearizability;

namespace Harness.Checkers.Tests.Linearizability;

public sealed class MemoryBudgetTests
{
    [Fact]
    public void Should_FailTheLargestHolder_When_ItsReservationDoesNotFit()
    {
        // Given a 1000-byte budget, one holder with 900 bytes and one with 50
        var budget = new MemoryBudget(1000, countProcess: false);
        using var big = budget.Join();
        using var small = budget.Join();
        Assert.True(big.Reserve(900));
        Assert.True(small.Reserve(50));
        // When the largest asks for more than fits / Then it fails, and must give up
        Assert.False(big.Reserve(100));
        Assert.True(big.MustGiveUp);
        Assert.False(small.MustGiveUp);
    }

    [Fact]
    public async Task Should_MakeTheLargestGiveUpAndWait_When_ASmallerHolderNeedsRoom()
    {
        // Given a 1000-byte budget, one holder with 900 bytes and one with 50
        var budget = new MemoryBudget(1000, countProcess: false);
        var big = budget.Join();
        using var small = budget.Join();
        Assert.True(big.Reserve(900));
        Assert.True(small.Reserve(50));
        // When the smaller one asks for 200 bytes
        var reserve = Task.Run(() => small.Reserve(200));
        // Then the largest is told to give up, and once it leaves the smaller one gets its bytes
        Assert.True(SpinWait.SpinUntil(() => big.MustGiveUp, TimeSpan.FromSeconds(10)));
        Assert.False(reserve.IsCompleted);
        big.Dispose();
        Assert.True(await reserve.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(250, budget.Used);
    }

    [Fact]
    public void Should_DescribeSizesInBinaryUnits_When_Formatting()
    {
        Assert.Equal("1 GiB", MemoryBudget.Describe(1L << 30));
        Assert.Equal("8 MiB", MemoryBudget.Describe(8L << 20));
        Assert.Equal("1.5 KiB", MemoryBudget.Describe(1536));
    }
}
