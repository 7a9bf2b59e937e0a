using System.Collections.Immutable;

namespace Harness.Core.Control;

/// <summary>Nodes made by a provisioner; disposing it removes everything the provisioner created.</summary>
public interface ICluster : IAsyncDisposable
{
    ImmutableArray<Node> Nodes { get; }

    /// <summary>The node's remote: commands, servers and files on it.</summary>
    IRemote Remote(Node node);

    /// <summary>The networks (CIDR) that the nodes' peers and the harness's clients connect from, for a
    /// database's access rules (e.g. pg_hba.conf). Nothing outside the test's own nodes and controller.</summary>
    ImmutableArray<string> ClientNetworks { get; }

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
