using System.Collections.Concurrent;
using Harness.Core.Clients;
using Harness.Core.Control;
using Harness.Core.Databases;
using Harness.Core.Runs;

namespace Harness.Databases.Memory;

/// <summary>
/// An in-process database (Jepsen's atom-db): one linearizable store shared by every node, with planted bugs.
/// It can be killed (ops on a killed node fail: connection refused), paused (ops on a paused node hang until
/// resumed or timed out) and has a primary (n1), so every nemesis can run against it.
/// </summary>
public sealed class MemoryDatabase : IDatabase, IKillable, IPausable, IHasPrimary
{
    private readonly ConcurrentDictionary<string, bool> _killed = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _paused = new();
    private readonly string _workload;
    private readonly IReadOnlySet<string> _bugs;
    private readonly long _seed;
    private MemoryStore _store;

    public MemoryDatabase(TestOptions options)
    {
        _workload = options.Workload;
        _bugs = MemorySuite.Bugs.Of(options).ToHashSet();
        _seed = options.Seed;
        _store = new MemoryStore(_workload, _bugs, _seed);
    }

    /// <summary>How many times setup ran (for tests).</summary>
    public int SetupCount { get; private set; }

    /// <summary>How many times teardown ran (for tests).</summary>
    public int TeardownCount { get; private set; }

    public Task SetupAsync(RunContext run, CancellationToken ct)
    {
        SetupCount++;
        _store = new MemoryStore(_workload, _bugs, _seed);
        return Task.CompletedTask;
    }

    public Task TeardownAsync(RunContext run, CancellationToken ct)
    {
        TeardownCount++;
        _killed.Clear();
        foreach (var gate in _paused.Values) gate.TrySetResult();
        _paused.Clear();
        return Task.CompletedTask;
    }

    /// <summary>The <see cref="ClientFactory"/> of this database.</summary>
    public Task<IClient> OpenClientAsync(RunContext run, Node node, CancellationToken ct) =>
        _killed.ContainsKey(node.Name)
            ? Task.FromException<IClient>(new IOException($"connection refused: {node.Name} is down"))
            : Task.FromResult<IClient>(new MemoryClient(this, node));

    internal MemoryStore Store => _store;

    internal bool IsKilled(Node node) => _killed.ContainsKey(node.Name);

    internal Task? PauseGate(Node node) => _paused.TryGetValue(node.Name, out var gate) ? gate.Task : null;

    public Task KillAsync(RunContext run, Node node, CancellationToken ct)
    {
        _killed[node.Name] = true;
        return Task.CompletedTask;
    }

    public Task StartAsync(RunContext run, Node node, CancellationToken ct)
    {
        _killed.TryRemove(node.Name, out _);
        return Task.CompletedTask;
    }

    public Task PauseAsync(RunContext run, Node node, CancellationToken ct)
    {
        _paused.TryAdd(node.Name, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        return Task.CompletedTask;
    }

    public Task ResumeAsync(RunContext run, Node node, CancellationToken ct)
    {
        if (_paused.TryRemove(node.Name, out var gate)) gate.TrySetResult();
        return Task.CompletedTask;
    }

    public Task<Node?> PrimaryAsync(RunContext run, CancellationToken ct) => Task.FromResult<Node?>(run.Nodes[0]);
}
