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
