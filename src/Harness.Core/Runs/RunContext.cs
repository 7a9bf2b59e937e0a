using System.Collections.Immutable;
using Harness.Core.Control;
using Harness.Core.Histories;
using Microsoft.Extensions.Logging;

namespace Harness.Core.Runs;

/// <summary>What every part of a running test can see: options, cluster, where to write, logging, the clock.</summary>
public sealed class RunContext
{
    public required TestOptions Options { get; init; }
    public required ICluster Cluster { get; init; }
    /// <summary>results/&lt;test&gt;/&lt;time&gt;/ for this run.</summary>
    public required string ResultDirectory { get; init; }
    public required ILogger Logger { get; init; }
    public required HistoryRecorder Recorder { get; init; }

    public ImmutableArray<Node> Nodes => Cluster.Nodes;
    public IRemote Remote(Node node) => Cluster.Remote(node);

    /// <summary>Shared state between the database adapter, its clients and its nemesis hooks (e.g. the primary).</summary>
    public IDictionary<string, object> State { get; } = new System.Collections.Concurrent.ConcurrentDictionary<string, object>();
}
