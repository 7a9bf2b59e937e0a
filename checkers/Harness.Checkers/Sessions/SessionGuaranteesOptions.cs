using Harness.Core.Histories;

namespace Harness.Checkers.Sessions;

/// <summary>What <see cref="SessionGuaranteesChecker"/> checks and what a session is.</summary>
public sealed record SessionGuaranteesOptions
{
    /// <summary>The guarantees to check (default: all).</summary>
    public SessionGuarantees Guarantees { get; init; } = SessionGuarantees.All;

    /// <summary>
    /// The session of an operation. Default: its process, i.e. one client connection; after an info
    /// completion the worker continues under a new process, so a new session (a crashed connection's
    /// guarantees end with it). Use <see cref="ByThread"/> for logical sessions that span reconnects.
    /// </summary>
    public Func<Operation, long> SessionOf { get; init; } = op => op.Process;

    /// <summary>At most this many violations of each guarantee are listed (all are counted).</summary>
    public int MaxListedPerGuarantee { get; init; } = 50;

    /// <summary>
    /// Logical sessions: Jepsen's worker thread (process mod concurrency), which survives reconnects after
    /// info completions. Only meaningful when the client keeps its session state across reconnects.
    /// </summary>
    public static Func<Operation, long> ByThread(int concurrency) =>
        concurrency > 0 ? op => op.Process % concurrency : throw new ArgumentOutOfRangeException(nameof(concurrency));
}
