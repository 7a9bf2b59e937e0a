using Harness.Core.Checking;
using Harness.Core.Running;

namespace Harness.Workloads;

/// <summary>The checker of each workload (one place to wire the checkers in as they land).</summary>
public static class WorkloadCheckers
{
    public static IChecker Register(TestOptions options) => new PendingChecker("linearizability");

    public static IChecker Set(TestOptions options) => new PendingChecker("set");

    public static IChecker ListAppend(TestOptions options) => new PendingChecker("list-append");

    public static IChecker Session(TestOptions options) => new PendingChecker("session-guarantees");

    public static IChecker Bank(TestOptions options) => new PendingChecker("bank");
}
