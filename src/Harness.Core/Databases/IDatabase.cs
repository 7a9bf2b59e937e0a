using Harness.Core.Control;
using Harness.Core.Runs;

namespace Harness.Core.Databases;

/// <summary>Installs and starts the database on the cluster, or wipes it. Optional abilities are separate
/// interfaces: <see cref="IKillable"/>, <see cref="IPausable"/>, <see cref="IHasLogFiles"/>, <see cref="IHasPrimary"/>.</summary>
public interface IDatabase
{
    /// <summary>Sets up every node (in the order the topology needs) and returns once all are ready.</summary>
    Task SetupAsync(RunContext run, CancellationToken ct);

    /// <summary>Stops every server and removes its data. Idempotent; must work after a partial setup.</summary>
    Task TeardownAsync(RunContext run, CancellationToken ct);
}

/// <summary>Servers that can be killed (SIGKILL) and started again.</summary>
public interface IKillable
{
    Task KillAsync(RunContext run, Node node, CancellationToken ct);
    Task StartAsync(RunContext run, Node node, CancellationToken ct);
}

/// <summary>Servers that can be paused (SIGSTOP) and resumed (SIGCONT).</summary>
public interface IPausable
{
    Task PauseAsync(RunContext run, Node node, CancellationToken ct);
    Task ResumeAsync(RunContext run, Node node, CancellationToken ct);
}

/// <summary>Databases with log files worth collecting into results.</summary>
public interface IHasLogFiles
{
    IReadOnlyList<string> LogFiles(RunContext run, Node node);
}

/// <summary>Single-leader databases: which node is the primary now (null when none is known).</summary>
public interface IHasPrimary
{
    Task<Node?> PrimaryAsync(RunContext run, CancellationToken ct);
}

/// <summary>Replicated databases whose replication can be held back (the lag fault): replicas stop receiving
/// changes until released, then catch up. Reads on them go stale; a promotion meanwhile loses what they missed.</summary>
public interface IHasReplicationLag
{
    /// <summary>The nodes that replicate from another node now (empty when none).</summary>
    Task<IReadOnlyList<Node>> ReplicasAsync(RunContext run, CancellationToken ct);

    /// <summary>Stops these replicas from receiving changes (idempotent).</summary>
    Task HoldAsync(RunContext run, IReadOnlyList<Node> replicas, CancellationToken ct);

    /// <summary>Lets every held replica catch up again.</summary>
    Task ReleaseAsync(RunContext run, CancellationToken ct);
}

/// <summary>
/// Replicated databases that report their own view of replication lag. While the test runs the runner asks at a fixed
/// interval (lag.jsonl in the run directory, a figure in results.json and a plot in the report), so
/// the lag the database admits can be read beside the visibility lag measured from the history.
/// </summary>
public interface IHasReplicationStatus
{
    /// <summary>One sample per replica, as the database itself reports it now (empty when no replica is known).
    /// May throw when the database cannot be asked now (e.g. the primary is down, paused or partitioned away): the
    /// runner skips that sample and counts it; it bounds each call and cancels <paramref name="ct"/> at the end.</summary>
    Task<IReadOnlyList<ReplicaStatus>> ReplicationStatusAsync(RunContext run, CancellationToken ct);
}

/// <summary>
/// What the database says about one replica at one moment. Every figure is optional: each database reports what it
/// has. PostgreSQL (pg_stat_replication on the primary): <see cref="WriteLagMs"/>, <see cref="FlushLagMs"/>,
/// <see cref="ReplayLagMs"/> and the replay position's distance from the primary's in bytes. MariaDB (SHOW REPLICA
/// STATUS on each replica): Seconds_Behind_Master as <see cref="ReplayLagMs"/> and the GTID positions.
/// </summary>
/// <param name="Node">The replica.</param>
/// <param name="Source">The node it replicates from, when known.</param>
/// <param name="State">The database's word for the replica's state (e.g. "streaming", "catchup", "Yes/No" threads).</param>
/// <param name="WriteLagMs">Time until the replica had written recent changes (PostgreSQL write_lag).</param>
/// <param name="FlushLagMs">Time until it had flushed them to disk (PostgreSQL flush_lag).</param>
/// <param name="ReplayLagMs">Time until they were applied, i.e. visible to the replica's readers (PostgreSQL
/// replay_lag; MariaDB Seconds_Behind_Master × 1000).</param>
/// <param name="BytesBehind">How far the applied position is behind the source's current position, in bytes of
/// log (PostgreSQL: pg_current_wal_lsn() - replay_lsn).</param>
/// <param name="Position">The replica's applied position in the database's own notation (an LSN, a GTID list).</param>
/// <param name="SourcePosition">The source's current position in the same notation.</param>
public sealed record ReplicaStatus(
    Node Node,
    Node? Source = null,
    string? State = null,
    double? WriteLagMs = null,
    double? FlushLagMs = null,
    double? ReplayLagMs = null,
    long? BytesBehind = null,
    string? Position = null,
    string? SourcePosition = null);
