using Harness.Core.Control;
using Harness.Core.Nemeses;

namespace Harness.Core.Tests.Nemeses;

public sealed class PartitionShapesTests
{
    private static List<Node> Nodes(int n) => [.. Enumerable.Range(1, n).Select(i => new Node($"n{i}", $"10.0.0.{i}", i))];

    // Who each node can still reach (itself included), given the plan.
    private static Dictionary<Node, HashSet<Node>> Views(PartitionPlan plan, List<Node> nodes)
    {
        var views = nodes.ToDictionary(n => n, n => nodes.ToHashSet());
        foreach (var a in nodes)
            foreach (var b in nodes)
            {
                var cut = plan.Links.Any(l => (l.A == a && l.B == b) || (l.A == b && l.B == a))
                    || (plan.Components.FirstOrDefault(c => c.Contains(a)) is { IsDefault: false } ca
                        && plan.Components.FirstOrDefault(c => c.Contains(b)) is { IsDefault: false } cb && ca != cb);
                if (cut) views[a].Remove(b);
            }
        return views;
    }

    [Theory]
    [InlineData(3, 1, 2)]
    [InlineData(5, 1, 4)]
    public void Should_Isolate_One_Node_When_Shape_Is_One(int n, int small, int large)
    {
        // Given / When
        var plan = PartitionShapes.Plan(PartitionShapes.One, Nodes(n), new Random(1));

        // Then
        Assert.Equal([small, large], plan.Components.Select(c => c.Length));
    }

    [Theory]
    [InlineData(3, 1, 2)]
    [InlineData(5, 2, 3)]
    [InlineData(9, 4, 5)]
    public void Should_Split_In_Halves_When_Shape_Is_Majority(int n, int small, int large)
    {
        // Given / When
        var plan = PartitionShapes.Plan(PartitionShapes.Majority, Nodes(n), new Random(2));

        // Then the components are disjoint and cover every node
        Assert.Equal([small, large], plan.Components.Select(c => c.Length));
        Assert.Equal(n, plan.Components.SelectMany(c => c).Distinct().Count());
    }

    [Fact]
    public void Should_Isolate_A_Third_When_Shape_Is_Minority_Third()
    {
        // Given / When
        var plan = PartitionShapes.Plan(PartitionShapes.MinorityThird, Nodes(9), new Random(3));

        // Then
        Assert.Equal([3, 6], plan.Components.Select(c => c.Length));
    }

    [Fact]
    public void Should_Isolate_The_Primary_When_Shape_Is_Primaries()
    {
        // Given
        var nodes = Nodes(3);

        // When
        var plan = PartitionShapes.Plan(PartitionShapes.Primaries, nodes, new Random(4), primary: nodes[1]);

        // Then
        Assert.Equal(new[] { nodes[1] }, plan.Components[0].ToArray());
        Assert.True(PartitionShapes.Plan(PartitionShapes.Primaries, nodes, new Random(4), primary: null).IsEmpty);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(9)]
    public void Should_Give_Every_Node_A_Distinct_Majority_When_Shape_Is_Majorities_Ring(int n)
    {
        // Given
        var nodes = Nodes(n);

        // When
        var plan = PartitionShapes.Plan(PartitionShapes.MajoritiesRing, nodes, new Random(5));
        var views = Views(plan, nodes);

        // Then each node sees a majority, something is cut, and for n >= 4 no two views are the same
        Assert.NotEmpty(plan.Links);
        Assert.All(views.Values, v => Assert.True(v.Count >= n / 2 + 1));
        Assert.Contains(views.Values, v => v.Count < n);
        if (n >= 4)
            Assert.Equal(n, views.Values.Select(v => string.Join(',', v.OrderBy(x => x.Number))).Distinct().Count());
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void Should_Join_Two_Halves_Through_One_Node_When_Shape_Is_Bridge(int n)
    {
        // Given
        var nodes = Nodes(n);

        // When
        var views = Views(PartitionShapes.Plan(PartitionShapes.Bridge, nodes, new Random(6)), nodes);

        // Then exactly one node sees everyone; the others see a minority plus the bridge
        Assert.Single(views.Values, v => v.Count == n);
        Assert.All(views.Values.Where(v => v.Count < n), v => Assert.True(v.Count <= n / 2 + 1));
    }

    [Fact]
    public void Should_Reject_An_Unknown_Shape_With_The_Valid_Ones()
    {
        // When
        var e = Assert.Throws<UserErrorException>(() => PartitionShapes.Plan("triangle", Nodes(3), new Random(1)));

        // Then
        Assert.Contains("majorities-ring", e.Message, StringComparison.Ordinal);
    }
}
