using FsCheck;
using FsCheck.Fluent;
using Harness.Checkers.Linearizability;
using Harness.Core.Checking;
using Harness.Core.Histories;

namespace Harness.Checkers.Tests.Linearizability;

public sealed class LinearizabilityPropertyTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(300);

    private static Validity Verdict(History h) =>
        new LinearizabilityChecker(LinearizabilityModels.ByName("register")).Check(h, CancellationToken.None).Validity;

    private static Arbitrary<(int Seed, int Ops, int Processes)> Shapes(int maxOps, int maxProcesses) =>
        Arb.From(from seed in Gen.Choose(0, int.MaxValue)
                 from ops in Gen.Choose(1, maxOps)
                 from processes in Gen.Choose(1, maxProcesses)
                 select (seed, ops, processes));

    [Fact]
    public void Should_BeLinearizable_When_TheHistoryComesFromARealSequentialExecution()
    {
        // Given histories of a real register with random concurrency and crashes
        // When checking them / Then every one is linearizable
        Check.One(Runs, Prop.ForAll(Shapes(200, 8), s => Verdict(RandomHistories.Linearizable(s.Seed, s.Ops, s.Processes)) == Validity.Valid));
    }

    [Fact]
    public void Should_FindTheViolation_When_AReadReturnsAValueNobodyWrote()
    {
        // Given a valid history in which one ok read is changed to return 99 (never written)
        Check.One(Runs, Prop.ForAll(Shapes(100, 6), s =>
        {
            var h = RandomHistories.Linearizable(s.Seed, s.Ops, s.Processes);
            var read = h.FirstOrDefault(o => o.IsOk && o.F == "read");
            if (read is null) return true;
            var mutated = new History(h.Select(o => o.Index == read.Index ? o with { Value = Datum.Of(99) } : o));
            // When / Then it is not linearizable
            return Verdict(mutated) == Validity.Invalid;
        }));
    }

    [Fact]
    public void Should_UsuallyFail_When_AReadIsChangedToAnotherWrittenValue()
    {
        // Given 300 valid histories with one ok read changed to a different value that was written
        var mutants = 0;
        var caught = 0;
        for (var seed = 0; seed < 300; seed++)
        {
            var h = RandomHistories.Linearizable(seed, 60, 3);
            var rng = new Random(seed);
            var reads = h.Where(o => o.IsOk && o.F == "read").ToList();
            if (reads.Count == 0) continue;
            var read = reads[rng.Next(reads.Count)];
            var other = Datum.Of(((read.Value?.IsInt == true ? read.Value.AsLong() : 0) + 1 + rng.Next(3)) % 4);
            mutants++;
            // When checking the mutant
            if (Verdict(new History(h.Select(o => o.Index == read.Index ? o with { Value = other } : o))) == Validity.Invalid) caught++;
        }
        // Then more than half of the mutants are caught (some reads are concurrent with a write of the new value)
        Assert.True(caught * 2 > mutants, $"caught {caught} of {mutants} mutated reads");
    }

    [Fact]
    public void Should_AgreeWithBruteForce_When_HistoriesAreSmall()
    {
        // Given small histories with arbitrary results, crashes and missing completions
        // When checking them with WGL and with an exhaustive search / Then the verdicts agree
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), Prop.ForAll(Shapes(7, 3), s =>
        {
            var h = RandomHistories.Arbitrary(s.Seed, s.Ops, s.Processes);
            var expected = BruteForceRegister.IsLinearizable(h) ? Validity.Valid : Validity.Invalid;
            var result = new LinearizabilityChecker(LinearizabilityModels.ByName("register")).Check(h, CancellationToken.None);
            if (result.Validity != expected) return false;
            if (expected == Validity.Valid) return true;
            // And the reported prefix is itself a legal, real-time-respecting run
            var prefix = result.Anomalies[0].Data!["prefix"]!.AsArray().Select(n => (long)n!).ToList();
            return BruteForceRegister.IsLegalPrefix(h, prefix);
        }));
        // And the generator yields both verdicts often, so the comparison means something
        var valid = Enumerable.Range(0, 400).Count(seed => BruteForceRegister.IsLinearizable(RandomHistories.Arbitrary(seed, 6, 3)));
        Assert.InRange(valid, 40, 360);
    }
}
