using System.Collections.Immutable;
using Harness.Core.Control;

namespace Harness.Core.Nemeses;

/// <summary>
/// Pure computation of partition shapes (Jepsen's nemesis grudges), from the nodes and a seeded random:
/// <c>one</c> isolates a node, <c>majority</c> splits into random halves, <c>minority-third</c> isolates a
/// third, <c>primaries</c> isolates the primary, <c>majorities-ring</c> lets every node see a majority
/// (no two the same), <c>bridge</c> joins two halves through one node.
/// </summary>
public static class PartitionShapes
{
    public const string One = "one";
    public const string Majority = "majority";
    public const string MajoritiesRing = "majorities-ring";
    public const string MinorityThird = "minority-third";
    public const string Primaries = "primaries";
    public const string Bridge = "bridge";

    public static ImmutableArray<string> All { get; } = [One, Majority, MajoritiesRing, MinorityThird, Primaries, Bridge];

    /// <summary>The fewest nodes on which a shape cuts something: a bridge needs a node between two sides, a
    /// ring of majorities needs three (with two, a majority is everyone).</summary>
    public static int MinNodes(string shape) => shape is Bridge or MajoritiesRing ? 3 : 2;

    /// <summary>Computes the cut for a shape; <paramref name="primary"/> is needed for <c>primaries</c> only.</summary>
    public static PartitionPlan Plan(string shape, IReadOnlyList<Node> nodes, Random random, Node? primary = null)
    {
        if (nodes.Count < 2) return new PartitionPlan();
        var shuffled = nodes.ToArray();
        random.Shuffle(shuffled);
        switch (shape)
        {
            case One:
                return Split(shuffled[..1], shuffled[1..]);
            case Majority:
                return Split(shuffled[..(nodes.Count / 2)], shuffled[(nodes.Count / 2)..]);
            case MinorityThird:
                var third = Math.Max(1, nodes.Count / 3);
                return Split(shuffled[..third], shuffled[third..]);
            case Primaries:
                if (primary is null) return new PartitionPlan();
                return Split([primary], [.. nodes.Where(n => n != primary)]);
            case Bridge:
                return BridgePlan(shuffled);
            case MajoritiesRing:
                return RingPlan(shuffled, random);
            default:
                throw new UserErrorException($"unknown partition shape '{shape}'; valid shapes: {string.Join(", ", All)}");
        }
    }

    private static PartitionPlan Split(Node[] minority, Node[] rest) => new()
    {
        Components = [[.. minority], [.. rest]],
        Affected = [.. minority],
    };

    // [A..] bridge [B..]: the bridge node talks to everyone; A and B cannot talk to each other.
    private static PartitionPlan BridgePlan(Node[] shuffled)
    {
        var rest = shuffled[1..];
        var a = rest[..(rest.Length / 2)];
        var b = rest[(rest.Length / 2)..];
        var links = (from x in a from y in b select (x, y)).ToImmutableArray();
        return new PartitionPlan { Links = links, Affected = [.. a.Concat(b)] };
    }

    // Nodes on a ring keep links to their nearest neighbours, enough for each to see a majority (itself
    // included). Views differ because each is centred on a different node.
    private static PartitionPlan RingPlan(Node[] ring, Random random)
    {
        var n = ring.Length;
        if (n == 3)
        {
            // Each node seeing a majority of 3 means at most one cut link: drop one at random.
            var i = random.Next(3);
            var link = (ring[i], ring[(i + 1) % 3]);
            return new PartitionPlan { Links = [link], Affected = [link.Item1, link.Item2] };
        }
        var majority = n / 2 + 1;
        var reach = (majority - 1 + 1) / 2; // neighbours on each side
        var links = ImmutableArray.CreateBuilder<(Node, Node)>();
        for (var i = 0; i < n; i++)
            for (var j = i + 1; j < n; j++)
            {
                var distance = Math.Min(j - i, n - (j - i));
                if (distance > reach) links.Add((ring[i], ring[j]));
            }
        var affected = links.SelectMany(l => new[] { l.Item1, l.Item2 }).Distinct().ToImmutableArray();
        return new PartitionPlan { Links = links.ToImmutable(), Affected = affected };
    }
}
