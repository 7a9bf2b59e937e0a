using System.Collections.Immutable;

namespace Harness.Core.Control;

/// <summary>Nodes made by a provisioner; disposing it removes everything the provisioner created.</summary>
public interface ICluster : IAsyncDisposable
{
    ImmutableArray<Node> Nodes { get; }

    /// <summary>A directory private to this run where databases keep data, sockets and logs (short path).</summary>
    string RunDirectory { get; }

    IRemote Remote(Node node);

    /// <summary>Where a node's server logs are written, collected into results/&lt;run&gt;/logs/&lt;node&gt;/.</summary>
    string LogDirectory(Node node);

    /// <summary>The network fault injector for these nodes (partitions, loss), healed on dispose.</summary>
    INetwork Network { get; }
}

/// <summary>Network faults between nodes. Every method is idempotent; Heal removes every fault.</summary>
public interface INetwork
{
    /// <summary>Cuts traffic between nodes of different components (each node in at most one component;
    /// nodes not listed keep all links). E.g. [[n1],[n2,n3]] isolates n1.</summary>
    Task PartitionAsync(IReadOnlyList<IReadOnlyList<Node>> components, CancellationToken ct);

    /// <summary>Cuts exactly these links (both directions), for shapes that are not disjoint groups (bridge, ring).</summary>
    Task DropLinksAsync(IReadOnlyList<(Node A, Node B)> links, CancellationToken ct);

    /// <summary>Drops this share (0..1) of packets arriving at each of the given nodes from the other nodes.</summary>
    Task LossAsync(IReadOnlyList<Node> nodes, double probability, CancellationToken ct);

    /// <summary>Removes every fault this network applied, atomically per node.</summary>
    Task HealAsync(CancellationToken ct);
}
