using System.Collections.Immutable;
using Harness.Core.Control;

namespace Harness.Core.Nemeses;

/// <summary>
/// What a partition shape cuts: either disjoint <see cref="Components"/> (traffic between different
/// components is dropped) or explicit <see cref="Links"/> (for shapes that are not disjoint groups).
/// </summary>
public sealed record PartitionPlan
{
    public ImmutableArray<ImmutableArray<Node>> Components { get; init; } = [];
    public ImmutableArray<(Node A, Node B)> Links { get; init; } = [];

    /// <summary>The nodes hit: the cut-off minority for split shapes, every node that lost a link for link shapes.</summary>
    public ImmutableArray<Node> Affected { get; init; } = [];

    public bool IsEmpty => Components.IsEmpty && Links.IsEmpty;
}
