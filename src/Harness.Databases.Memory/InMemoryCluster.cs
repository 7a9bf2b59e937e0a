using System.Collections.Immutable;
using Harness.Core.Control;

namespace Harness.Databases.Memory;

/// <summary>Nodes that exist only in this process (for the in-memory database): no remote execution.</summary>
public sealed class InMemoryCluster : ICluster
{
    public InMemoryCluster(int nodeCount)
    {
        Nodes = [.. Enumerable.Range(1, nodeCount).Select(i => new Node($"n{i}", "127.0.0.1", i))];
        RunDirectory = Path.Combine(Path.GetTempPath(), $"harness-mem-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
    }

    public ImmutableArray<Node> Nodes { get; }
    public string RunDirectory { get; }
    public INetwork Network { get; } = new InMemoryNetwork();
    public bool Disposed { get; private set; }

    public IRemote Remote(Node node) => new InMemoryRemote();

    public string LogDirectory(Node node) => Path.Combine(RunDirectory, node.Name);

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }

    private sealed class InMemoryRemote : IRemote
    {
        public Task<CommandResult> ExecAsync(IReadOnlyList<string> argv, CancellationToken ct) =>
            Task.FromResult(new CommandResult(127, "", "the in-memory cluster cannot run commands"));

        public Task<IRemoteProcess> StartAsync(IReadOnlyList<string> argv, string? user, string logPath, CancellationToken ct) =>
            Task.FromException<IRemoteProcess>(new NotSupportedException("the in-memory cluster cannot start processes"));
    }
}
