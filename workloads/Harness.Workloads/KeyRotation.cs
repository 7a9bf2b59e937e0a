using System.Collections.Immutable;

namespace Harness.Workloads;

/// <summary>
/// A pure pool of active keys (Jepsen's independent keys): <c>count</c> keys at a time; a key that received
/// <c>opsPerKey</c> ops is retired and replaced by a fresh one, so per-key histories stay small to check.
/// </summary>
public sealed record KeyRotation(ImmutableArray<long> Active, ImmutableArray<int> Used, long NextKey, int OpsPerKey)
{
    public static KeyRotation Create(int count, int opsPerKey) =>
        new([.. Enumerable.Range(0, Math.Max(1, count)).Select(i => (long)i)], [.. new int[Math.Max(1, count)]], Math.Max(1, count), opsPerKey);

    /// <summary>A random active key, and the pool after one op on it.</summary>
    public (long Key, KeyRotation Next) Pick(Random random)
    {
        var i = random.Next(Active.Length);
        var key = Active[i];
        if (Used[i] + 1 < OpsPerKey) return (key, this with { Used = Used.SetItem(i, Used[i] + 1) });
        return (key, this with { Active = Active.SetItem(i, NextKey), Used = Used.SetItem(i, 0), NextKey = NextKey + 1 });
    }
}
