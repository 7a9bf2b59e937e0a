using System.Collections.Immutable;
using Harness.Core.Control;

namespace Harness.Databases.Memory;

/// <summary>Nodes that exist only in this process (for the in-memory database): no commands, servers or files.</summary>
public sealed class InMemoryCluster : ICluster
{
    private readonly ImmutableDictionary<string, InMemoryRemote> _remotes;

    public InMemoryCluster(int nodeCount)
    {
        Nodes = [.. Enumerable.Range(1, nodeCount).Select(i => new Node($"n{i}", "127.0.0.1", i))];
        _remotes = Nodes.ToImmutableDictionary(n => n.Name, n => new InMemoryRemote(n));
    }

    public ImmutableArray<Node> Nodes { get; }
    public ImmutableArray<string> ClientNetworks { get; } = ["127.0.0.1/32"];
    public INetwork Network { get; } = new InMemoryNetwork();
    public bool Disposed { get; private set; }

    public IRemote Remote(Node node) => _remotes[node.Name];

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }

    private sealed class InMemoryRemote(Node node) : IRemote
    {
        public Node Node { get; } = node;
        public string Directory => "/nonexistent";
        public string LogDirectory => "/nonexistent";

        public Task<CommandResult> ExecAsync(IReadOnlyList<string> argv, CancellationToken ct, string? stdin = null) =>
            Task.FromResult(new CommandResult(127, "", "the in-memory cluster cannot run commands"));

        public Task<IRemoteProcess> StartAsync(ServerSpec spec, CancellationToken ct) =>
            Task.FromException<IRemoteProcess>(new NotSupportedException("the in-memory cluster cannot start processes"));

        public Task WriteFileAsync(string path, string content, CancellationToken ct, string? owner = null) =>
            Task.FromException(new NotSupportedException("the in-memory cluster has no files"));

        public Task<string?> ReadFileAsync(string path, CancellationToken ct) => Task.FromResult<string?>(null);

        public Task DownloadAsync(string path, string localPath, CancellationToken ct) =>
            Task.FromException(new FileNotFoundException("the in-memory cluster has no files", path));
    }
}
