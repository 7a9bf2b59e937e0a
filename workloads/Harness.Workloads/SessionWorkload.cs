using Harness.Core.Running;
using Harness.Core.Runs;

namespace Harness.Workloads;

/// <summary>
/// Session guarantees (read-your-writes, monotonic reads and writes, writes-follow-reads): list-append
/// transactions of a single micro-op (one append or one read of one key) per op, so each client process is a
/// session. Checked with the session guarantees checker.
/// </summary>
public static class SessionWorkload
{
    public const string Name = "session";

    public static Workload Create(TestOptions options) => new()
    {
        Name = Name,
        Generator = new ListAppendWorkload.TxnGenerator(KeyRotation.Create(options.KeyCount, ListAppendWorkload.AppendsPerKey * 2), 1, 1),
        Checker = WorkloadCheckers.Session(options),
    };
}
