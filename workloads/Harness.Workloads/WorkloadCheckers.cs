using Harness.Checkers.Cycles;
using Harness.Checkers.Invariants;
using Harness.Checkers.Linearizability;
using Harness.Checkers.Replication;
using Harness.Checkers.Sessions;
using Harness.Core.Checking;
using Harness.Core.Runs;

namespace Harness.Workloads;

/// <summary>The checker of each workload (one place to wire the checkers in as they land).</summary>
public static class WorkloadCheckers
{
    /// <summary>How long the linearizability search may take before the verdict is Unknown.</summary>
    public static TimeSpan LinearizabilityTimeout { get; } = TimeSpan.FromMinutes(5);

    /// <summary>Per-key linearizability with Knossos' cas-register model.</summary>
    public static IChecker Register(TestOptions options) =>
        new LinearizabilityChecker(LinearizabilityModels.ByName("cas-register"), LinearizabilityTimeout);

    public static IChecker Set(TestOptions options) => new SetChecker();

    /// <summary>Elle's list-append checker for the named consistency model, and how soon writes became visible;
    /// <paramref name="levelName"/>: the isolation level as the database names it, when that is not the model checked.</summary>
    public static IChecker ListAppend(string consistency, string? levelName = null) =>
        Harness.Core.Checking.Checkers.Compose("list-append", new ListAppendChecker(ConsistencyModels.Parse(consistency), levelName), new VisibilityChecker());

    /// <summary>Session guarantees, each client process being a session (a crashed process starts a new one).</summary>
    public static IChecker Session(TestOptions options) =>
        Harness.Core.Checking.Checkers.Compose("session", new SessionGuaranteesChecker(), new VisibilityChecker());

    /// <summary>Every read sees <see cref="BankWorkload.Total"/> in all and no negative balance.</summary>
    public static IChecker Bank(TestOptions options) => new BankChecker(BankWorkload.Total);
}
