using Harness.Core.Control;
using Harness.Core.Histories;
using Harness.Core.Runs;

namespace Harness.Core.Databases;

/// <summary>
/// Replicated databases whose nodes should all end in the same state. After the final phase the runner waits
/// <see cref="SettleTime"/>, reads every node directly and records one nemesis op per node, f <see cref="F"/>,
/// value {"node": name, "state": ...} (fail when the node cannot be read), for a convergence checker to compare.
/// </summary>
public interface IHasNodeStates
{
    /// <summary>The f of the recorded ops.</summary>
    const string F = "node-state";

    /// <summary>How long replication may take to catch up after the final heal before the nodes are read.</summary>
    TimeSpan SettleTime { get; }

    /// <summary>The node's own copy of the test's data (e.g. every table, sorted), read on that node only.</summary>
    Task<Datum> ReadStateAsync(RunContext run, Node node, CancellationToken ct);
}
