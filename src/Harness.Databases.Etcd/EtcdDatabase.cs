using System.Globalization;
using Etcdserverpb;
using Grpc.Core;
using Grpc.Net.Client;
using Harness.Core.Control;
using Harness.Core.Databases;
using Harness.Core.Runs;
using Microsoft.Extensions.Logging;

namespace Harness.Databases.Etcd;

/// <summary>
/// etcd 3.4 (Debian's etcd-server): one member per node, each a direct child of its node's remote (run as the
/// etcd user, data under the node's run directory), bootstrapped statically with --initial-cluster. Kill and
/// pause signal the member itself; a killed member restarts with the same data directory (the bootstrap flags
/// are then ignored) and rejoins. The leader (<see cref="IHasPrimary"/>) comes from the Maintenance.Status API.
/// </summary>
public sealed class EtcdDatabase(EtcdSettings settings) : IDatabase, IKillable, IPausable, IHasLogFiles, IHasPrimary, IAsyncDisposable
{
    public const int ClientPort = 2379;
    public const int PeerPort = 2380;
    private const string User = "etcd";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, IRemoteProcess> _servers = [];
    private readonly HashSet<string> _paused = [];
    private readonly Dictionary<ulong, Node> _members = [];
    private readonly Dictionary<string, GrpcChannel> _adminChannels = [];
    private readonly string _token = "harness-" + Guid.NewGuid().ToString("N")[..12];
    private ICluster? _cluster;

    public EtcdSettings Settings => settings;

    public IReadOnlyList<string> LogFiles(RunContext run, Node node) => [LogPath(node)];

    /// <summary>A gRPC channel to one member only, with no retry policy and no balancing (a client talks to the node
    /// it was opened for; a call whose outcome is unknown is never sent again by the channel).</summary>
    public static GrpcChannel OpenChannel(Node node) => GrpcChannel.ForAddress($"http://{node.Address}:{ClientPort}", new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(1),
            KeepAlivePingDelay = TimeSpan.FromSeconds(2),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(2),
            EnableMultipleHttp2Connections = true,
        },
        ServiceConfig = null,
        MaxRetryAttempts = 0,
    });

    /// <summary>Call options for one call: the op deadline and, with <paramref name="requireLeader"/>, etcd's
    /// require-leader metadata (a member that knows no leader refuses the call at once with "etcdserver: no
    /// leader", before handling it, instead of letting it wait for the deadline). Serializable reads go without it:
    /// a member cut off from the leader serves them from its own state, which is what they are for.</summary>
    public CallOptions Call(CancellationToken ct, bool requireLeader = true) =>
        new(requireLeader ? new Metadata { { "hasleader", "true" } } : null, DateTime.UtcNow + settings.OpTimeout, ct);

    public async Task SetupAsync(RunContext run, CancellationToken ct)
    {
        _cluster = run.Cluster;
        var nodes = run.Nodes;
        await Task.WhenAll(nodes.Select(async n =>
        {
            var remote = _cluster.Remote(n);
            await remote.ExecCheckedAsync(["rm", "-rf", DataDir(n)], ct);
            await remote.MakeDirectoryAsync(DataDir(n), User, 0b111_000_000, ct);
        }));
        await Task.WhenAll(nodes.Select(n => StartServerAsync(n, ct)));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        foreach (var n in nodes)
        {
            while (true)
            {
                var status = await StatusAsync(n, TimeSpan.FromSeconds(1), ct);
                if (status is { Leader: not 0 })
                {
                    lock (_lock) _members[status.Header.MemberId] = n;
                    break;
                }
                if (Server(n) is { HasExited: true }) throw new InvalidOperationException($"etcd on {n} exited at start; see {LogPath(n)}");
                if (DateTime.UtcNow > deadline) throw new InvalidOperationException($"etcd on {n} has no leader after 30 s; see {LogPath(n)}");
                await Task.Delay(50, ct);
            }
        }
        if (run.Logger.IsEnabled(LogLevel.Information))
            run.Logger.LogInformation("etcd: {Count} members up (data in {Directory} on {Node}...), leader {Leader}", nodes.Length, DataDir(nodes[0]), nodes[0], await PrimaryAsync(run, ct));
    }

    public async Task TeardownAsync(RunContext run, CancellationToken ct)
    {
        if (_cluster is null) return;
        await Task.WhenAll(_cluster.Nodes.Select(async n =>
        {
            await KillServerAsync(n, ct);
            await _cluster.Remote(n).ExecAsync(["rm", "-rf", DataDir(n)], ct);
        }));
        await DisposeChannelsAsync();
    }

    public async Task KillAsync(RunContext run, Node node, CancellationToken ct) => await KillServerAsync(node, ct);

    public async Task StartAsync(RunContext run, Node node, CancellationToken ct)
    {
        if (Server(node) is { HasExited: false }) return;
        await StartServerAsync(node, ct);
    }

    public Task PauseAsync(RunContext run, Node node, CancellationToken ct) => SignalAsync(node, ProcessSignal.Stop, ct);

    public Task ResumeAsync(RunContext run, Node node, CancellationToken ct) => SignalAsync(node, ProcessSignal.Cont, ct);

    /// <summary>The leader as the members that answer within 1 s see it (the one reported with the highest Raft
    /// term); null when no running member knows a leader.</summary>
    public async Task<Node?> PrimaryAsync(RunContext run, CancellationToken ct)
    {
        var nodes = _cluster?.Nodes ?? [];
        var answers = await Task.WhenAll(nodes.Where(n => Server(n) is { HasExited: false } && !IsPaused(n))
            .Select(n => StatusAsync(n, TimeSpan.FromSeconds(1), ct)));
        var best = answers.Where(s => s is { Leader: not 0 }).MaxBy(s => s!.RaftTerm);
        if (best is null) return null;
        lock (_lock) return _members.GetValueOrDefault(best.Leader);
    }

    public ValueTask DisposeAsync() => DisposeChannelsAsync();

    // ---- servers -------------------------------------------------------------------------------------

    private async Task StartServerAsync(Node node, CancellationToken ct)
    {
        var nodes = Cluster.Nodes;
        var peers = string.Join(',', nodes.Select(n => $"{n.Name}=http://{n.Address}:{PeerPort}"));
        string[] argv =
        [
            "etcd", "--name", node.Name, "--data-dir", DataDir(node),
            "--listen-peer-urls", $"http://{node.Address}:{PeerPort}", "--initial-advertise-peer-urls", $"http://{node.Address}:{PeerPort}",
            "--listen-client-urls", $"http://{node.Address}:{ClientPort}", "--advertise-client-urls", $"http://{node.Address}:{ClientPort}",
            "--initial-cluster", peers, "--initial-cluster-state", "new", "--initial-cluster-token", _token,
            "--heartbeat-interval", settings.HeartbeatMillis.ToString(CultureInfo.InvariantCulture),
            "--election-timeout", settings.ElectionTimeoutMillis.ToString(CultureInfo.InvariantCulture),
            "--logger", "zap", "--log-outputs", "stderr",
            $"--pre-vote={(settings.PreVote ? "true" : "false")}",
        ];
        var server = await Cluster.Remote(node).StartAsync(new ServerSpec(argv, LogPath(node)) { User = User }, ct);
        lock (_lock)
        {
            _servers[node.Name] = server;
            _paused.Remove(node.Name);
        }
    }

    private async Task KillServerAsync(Node node, CancellationToken ct)
    {
        IRemoteProcess? server;
        lock (_lock)
        {
            _servers.Remove(node.Name, out server);
            _paused.Remove(node.Name);
        }
        if (server is null) return;
        await server.SignalAsync(ProcessSignal.Kill, withChildren: true, ct);
        await server.WaitForExitAsync(ct);
        await server.DisposeAsync();
    }

    private async Task SignalAsync(Node node, ProcessSignal signal, CancellationToken ct)
    {
        if (Server(node) is not { HasExited: false } server) return;
        await server.SignalAsync(signal, withChildren: true, ct);
        lock (_lock)
        {
            if (signal == ProcessSignal.Stop) _paused.Add(node.Name);
            else _paused.Remove(node.Name);
        }
    }

    private IRemoteProcess? Server(Node node)
    {
        lock (_lock) return _servers.GetValueOrDefault(node.Name);
    }

    private bool IsPaused(Node node)
    {
        lock (_lock) return _paused.Contains(node.Name);
    }

    /// <summary>The member's Maintenance.Status, or null when it does not answer in time.</summary>
    private async Task<StatusResponse?> StatusAsync(Node node, TimeSpan timeout, CancellationToken ct)
    {
        GrpcChannel channel;
        lock (_lock)
        {
            if (!_adminChannels.TryGetValue(node.Name, out channel!)) _adminChannels[node.Name] = channel = OpenChannel(node);
        }
        try
        {
            return await new Maintenance.MaintenanceClient(channel).StatusAsync(new StatusRequest(), new CallOptions(deadline: DateTime.UtcNow + timeout, cancellationToken: ct));
        }
        catch (RpcException)
        {
            return null;
        }
    }

    private ValueTask DisposeChannelsAsync()
    {
        List<GrpcChannel> channels;
        lock (_lock)
        {
            channels = [.. _adminChannels.Values];
            _adminChannels.Clear();
        }
        foreach (var c in channels) c.Dispose();
        return ValueTask.CompletedTask;
    }

    private ICluster Cluster => _cluster ?? throw new InvalidOperationException("etcd is not set up");

    private string DataDir(Node node) => $"{Cluster.Remote(node).Directory}/etcd";

    private string LogPath(Node node) => $"{Cluster.Remote(node).LogDirectory}/etcd.log";
}
