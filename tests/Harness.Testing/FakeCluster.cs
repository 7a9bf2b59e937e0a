using System.Collections.Immutable;
using Harness.Core.Control;

namespace Harness.Testing;

/// <summary>An <see cref="ICluster"/> of fake nodes n1..nN: a <see cref="FakeRemote"/> per node (files in a temp
/// directory) and a <see cref="FakeNetwork"/>.</summary>
public sealed class FakeCluster : ICluster
{
    private readonly Dictionary<string, FakeRemote> _remotes;

    public FakeCluster(int nodeCount = 3)
    {
        RunDirectory = Directory.CreateTempSubdirectory("harness-fake-").FullName;
        Nodes = [.. Enumerable.Range(1, nodeCount).Select(i => new Node($"n{i}", $"10.99.0.{10 + i}", i))];
        _remotes = Nodes.ToDictionary(n => n.Name, n => new FakeRemote(n, Path.Combine(RunDirectory, n.Name)));
    }

    public ImmutableArray<Node> Nodes { get; }
    public string RunDirectory { get; }
    public ImmutableArray<string> ClientNetworks { get; } = ["10.99.0.0/24"];
    public FakeNetwork FakeNetwork { get; } = new();
    public INetwork Network => FakeNetwork;

    /// <summary>How many times the cluster was disposed (teardown must do it exactly once).</summary>
    public int DisposeCount { get; private set; }

    public IRemote Remote(Node node) => _remotes[node.Name];

    public FakeRemote FakeRemote(Node node) => _remotes[node.Name];

    public ValueTask DisposeAsync()
    {
        DisposeCount++;
        try { Directory.Delete(RunDirectory, recursive: true); }
        catch (IOException) { }
        return ValueTask.CompletedTask;
    }
}
