using System.Collections.Immutable;
using Harness.Workloads;

namespace Harness.Databases.Memory;

/// <summary>The bugs the in-memory database can plant (--bug), to prove the checkers catch them.</summary>
public static class MemoryBugs
{
    /// <summary>Reads sometimes return the value before the latest write (register, list-append, session).</summary>
    public const string StaleRead = "stale-read";

    /// <summary>Some acknowledged set adds are never stored.</summary>
    public const string LostWrite = "lost-write";

    /// <summary>Some transfers debit without crediting (the total shrinks).</summary>
    public const string BadTransfer = "bad-transfer";

    public static ImmutableArray<string> All { get; } = [StaleRead, LostWrite, BadTransfer];

    /// <summary>The workloads whose ops <paramref name="bug"/> strikes.</summary>
    public static ImmutableArray<string> WorkloadsOf(string bug) => bug switch
    {
        StaleRead => [RegisterWorkload.Name, ListAppendWorkload.Name, SessionWorkload.Name],
        LostWrite => [SetWorkload.Name],
        BadTransfer => [BankWorkload.Name],
        _ => [],
    };

    /// <summary>True when <paramref name="bug"/> can strike in <paramref name="workload"/>.</summary>
    public static bool Strikes(string bug, string workload) => WorkloadsOf(bug).Contains(workload);

    /// <summary>How often a planted bug strikes when its op runs.</summary>
    public const double Probability = 0.2;
}
