using Harness.Checkers.Linearizability;
using Harness.Core.Checking;
using Harness.Core.Histories;

namespace Harness.Checkers.Tests.Linearizability;

/// <summary>The check stops at the first key that is not linearizable; --all-keys searches them all; the memory budget.</summary>
public sealed class EarlyStopTests
{
    /// <summary>A stale get on key "a": fails after a few steps.</summary>
    private static Ops QuickFailure(Ops ops, string key, int p)
    {
        ops.Invoke(p, "put", Ops.Keyed(key, "1")).Ok(p).Invoke(p, "put", Ops.Keyed(key, "2")).Ok(p);
        return ops.Invoke(p + 1, "get", Ops.Keyed(key, null)).Ok(p + 1, Ops.Keyed(key, "1"));
    }

    /// <summary>14 overlapping appends of distinct values, then a get nobody could produce: a factorial search.</summary>
    private static Ops Pathological(Ops ops, string key, int firstProcess)
    {
        for (var p = firstProcess; p < firstProcess + 14; p++) ops.Invoke(p, "append", Ops.Keyed(key, $"x{p}y"));
        for (var p = firstProcess; p < firstProcess + 14; p++) ops.Ok(p);
        return ops.Invoke(firstProcess, "get", Ops.Keyed(key, null)).Ok(firstProcess, Ops.Keyed(key, "nobody wrote this"));
    }

    private static CheckResult Check(History h, bool allKeys = false, long budget = LinearizabilityChecker.DefaultMemoryBudget) =>
        new LinearizabilityChecker(LinearizabilityModels.ByName("kv")) { AllKeys = allKeys, MemoryBudgetBytes = budget }.Check(h, CancellationToken.None);

    [Fact]
    public void Should_BeInvalidFromTheQuickKey_When_AnotherKeyIsPathological()
    {
        // Given key "b" whose full search explodes, and key "a" that fails at once; a budget that "b" alone would
        // exhaust (unknown), but not before "a" fails, even on a loaded machine (with 8 MiB, "b" sometimes gave up
        // first there and so counted as searched)
        var h = QuickFailure(Pathological(new Ops(), "b", 10), "a", 0).Build();
        // When checking it (stopping at the first failing key, the default)
        var r = Check(h, budget: 256L << 20);
        // Then the verdict is invalid from "a", and "b" is reported as not searched
        Assert.Equal(Validity.Invalid, r.Validity);
        var a = Assert.Single(r.Anomalies);
        Assert.Equal("a", (string?)a.Data!["key"]);
        Assert.Equal(1, (int)r.Stats!["unsearched_partitions"]!);
        Assert.Contains("stopped after key \"a\" failed: 1 of 2 keys not searched (use --all-keys", r.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_StopAfterTheFirstFailures_When_ManyKeysFail()
    {
        // Given 20 keys that all fail quickly
        var ops = new Ops();
        for (var k = 0; k < 20; k++) QuickFailure(ops, $"k{k}", 2 * k);
        // When checking it
        var r = Check(ops.Build());
        // Then at most one key per core was searched to its end; every other key is reported as not searched
        Assert.Equal(Validity.Invalid, r.Validity);
        Assert.InRange(r.Anomalies.Length, 1, Environment.ProcessorCount);
        Assert.Equal(20, r.Anomalies.Length + (int)r.Stats!["unsearched_partitions"]!);
    }

    [Fact]
    public void Should_SearchEveryKey_When_AllKeysIsSet()
    {
        // Given 20 keys that fail quickly and one valid key
        var ops = new Ops();
        for (var k = 0; k < 20; k++) QuickFailure(ops, $"k{k}", 2 * k);
        ops.Invoke(99, "put", Ops.Keyed("ok", "1")).Ok(99).Invoke(99, "get", Ops.Keyed("ok", null)).Ok(99, Ops.Keyed("ok", "1"));
        // When checking it with --all-keys
        var r = Check(ops.Build(), allKeys: true);
        // Then every failing key is reported and none is left unsearched
        Assert.Equal(Validity.Invalid, r.Validity);
        Assert.Equal(20, r.Anomalies.Length);
        Assert.Equal(20, (int)r.Stats!["failed_partitions"]!);
        Assert.Equal(0, (int)r.Stats["unknown_partitions"]!);
        Assert.Null(r.Stats["unsearched_partitions"]);
        Assert.DoesNotContain("not searched", r.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_NameTheMemoryBudget_When_AllKeysSearchesAPathologicalKey()
    {
        // Given a quick failure and a pathological key, checked with --all-keys and an 8 MiB budget
        var h = QuickFailure(Pathological(new Ops(), "b", 10), "a", 0).Build();
        // When checking it
        var r = Check(h, allKeys: true, budget: 8L << 20);
        // Then "a" makes it invalid, and "b" is said to have given up at the memory budget (not timed out)
        Assert.Equal(Validity.Invalid, r.Validity);
        Assert.Equal("a", (string?)Assert.Single(r.Anomalies).Data!["key"]);
        Assert.Contains("1 key gave up at the memory budget (8 MiB for the whole check; key \"b\"'s memo held ", r.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain("timed out", r.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_BeUnknownAndNameTheMemoryBudget_When_TheOnlyKeyOutgrowsIt()
    {
        // Given only the pathological key, and an 8 MiB budget
        var h = Pathological(new Ops(), "b", 0).Build();
        // When checking it
        var r = Check(h, budget: 8L << 20);
        // Then the verdict is unknown, and the summary says why, with the figure
        Assert.Equal(Validity.Unknown, r.Validity);
        Assert.StartsWith("gave up: 1 key gave up at the memory budget (8 MiB for the whole check", r.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain("timed out", r.Summary, StringComparison.Ordinal);
        Assert.InRange((long)r.Stats!["peak_memo_bytes"]!, 1, 8L << 20);
    }

    [Fact]
    public void Should_SayTimedOut_When_ThePathologicalKeyRunsOutOfTime()
    {
        // Given the pathological key, a large budget and a 200 ms timeout
        var h = Pathological(new Ops(), "b", 0).Build();
        // When checking it
        var r = new LinearizabilityChecker(LinearizabilityModels.ByName("kv"), TimeSpan.FromMilliseconds(200)).Check(h, CancellationToken.None);
        // Then the verdict is unknown: timed out (or, on a slow machine, the memory budget; never both wrong)
        Assert.Equal(Validity.Unknown, r.Validity);
        Assert.True(r.Summary.StartsWith("timed out after 0.2 s", StringComparison.Ordinal) || r.Summary.Contains("memory budget", StringComparison.Ordinal), r.Summary);
    }
}
