using System.Globalization;
using Harness.Core.Control;
using Harness.Core.Databases;
using Harness.Core.Histories;
using Harness.Core.Runs;
using Microsoft.Extensions.Logging;

namespace Harness.Databases.Redis;

/// <summary>
/// Redis 7 with Sentinel: on every node a redis-server and a redis-sentinel, each a direct child of the node's
/// remote (run as the redis user). n1 starts as the primary, the others as its replicas; the sentinels (quorum:
/// a majority) fail over when the primary is unreachable for 1 s. The harness follows the primary through the
/// sentinels (<see cref="IHasPrimary"/>): the answer of the reachable sentinel with the highest config epoch,
/// polled every 200 ms; each change is recorded as a nemesis "failover" op. kill and pause act on redis-server
/// (the sentinel on the node keeps running); a killed server restarts from its config file, which Sentinel
/// rewrites when it changes the server's role, and its append-only file.
/// </summary>
public sealed class RedisDatabase(RedisSettings settings) : IDatabase, IKillable, IPausable, IHasLogFiles, IHasPrimary, IDisposable
{
    public const int Port = 6379;
    public const int SentinelPort = 26379;
    public const string MasterName = "harness";
    private const string User = "redis";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, IRemoteProcess> _servers = [];
    private readonly Dictionary<string, IRemoteProcess> _sentinels = [];
    private readonly HashSet<string> _paused = [];
    private ICluster? _cluster;
    private volatile Node? _primary;
    private CancellationTokenSource? _followCts;
    private Task? _follower;

    public RedisSettings Settings => settings;

    /// <summary>The primary as the sentinels report it now (null before setup).</summary>
    public Node? Primary => _primary;

    public IReadOnlyList<Node> Nodes => _cluster?.Nodes ?? [];

    public Task<Node?> PrimaryAsync(RunContext run, CancellationToken ct) => Task.FromResult(_primary);

    public IReadOnlyList<string> LogFiles(RunContext run, Node node) => [LogPath(node), SentinelLogPath(node)];

    public async Task SetupAsync(RunContext run, CancellationToken ct)
    {
        _cluster = run.Cluster;
        var nodes = run.Nodes;
        var primary = nodes[0];
        var quorum = nodes.Length / 2 + 1;
        await Task.WhenAll(nodes.Select(async n =>
        {
            var remote = _cluster.Remote(n);
            await remote.ExecCheckedAsync(["rm", "-rf", Dir(n)], ct);
            await remote.MakeDirectoryAsync(Dir(n), User, 0b111_000_000, ct);
            await remote.WriteFileAsync(ConfigPath(n), ServerConfig(n, n == primary ? null : primary), ct, User);
            await remote.WriteFileAsync(SentinelConfigPath(n), SentinelConfig(n, primary, quorum), ct, User);
        }));
        _primary = primary;
        await Task.WhenAll(nodes.Select(n => StartServerAsync(n, ct)));
        await WaitAsync($"{nodes.Length - 1} replicas linked to {primary}", async () =>
            nodes.Length == 1 || Resp.Info(await Resp.TryCallAsync(primary.Address, Port, TimeSpan.FromSeconds(1), ct, "INFO", "replication"))
                .GetValueOrDefault("connected_slaves") == (nodes.Length - 1).ToString(CultureInfo.InvariantCulture), ct);
        await Task.WhenAll(nodes.Select(n => StartSentinelAsync(n, ct)));
        // Sentinels find each other through hello messages on the primary (every 2 s); a failover needs a quorum of them.
        foreach (var n in nodes)
            await WaitAsync($"sentinel on {n} to know the other {nodes.Length - 1}", async () =>
                int.TryParse(Resp.Pairs(await Resp.TryCallAsync(n.Address, SentinelPort, TimeSpan.FromSeconds(1), ct, "SENTINEL", "MASTER", MasterName))
                    .GetValueOrDefault("num-other-sentinels"), out var others) && others >= nodes.Length - 1, ct);
        if (run.Logger.IsEnabled(LogLevel.Information))
            run.Logger.LogInformation("redis: primary {Primary}, {Replicas} replicas, {Count} sentinels (quorum {Quorum}), data in {Directory} on {Node}...",
                primary, nodes.Length - 1, nodes.Length, quorum, Dir(primary), primary);
        _followCts = new CancellationTokenSource();
        _follower = FollowAsync(run, _followCts.Token);
    }

    public async Task TeardownAsync(RunContext run, CancellationToken ct)
    {
        if (_followCts is not null)
        {
            await _followCts.CancelAsync();
            try { if (_follower is not null) await _follower; }
            catch (OperationCanceledException) { }
            _followCts.Dispose();
            _followCts = null;
        }
        if (_cluster is null) return;
        await Task.WhenAll(_cluster.Nodes.Select(async n =>
        {
            await KillAsync(_sentinels, n, ct);
            await KillAsync(_servers, n, ct);
            await _cluster.Remote(n).ExecAsync(["rm", "-rf", Dir(n)], ct);
        }));
    }

    public Task KillAsync(RunContext run, Node node, CancellationToken ct) => KillAsync(_servers, node, ct);

    public async Task StartAsync(RunContext run, Node node, CancellationToken ct)
    {
        lock (_lock)
            if (_servers.TryGetValue(node.Name, out var s) && !s.HasExited) return;
        await StartServerAsync(node, ct);
    }

    public Task PauseAsync(RunContext run, Node node, CancellationToken ct) => SignalAsync(node, ProcessSignal.Stop, ct);

    public Task ResumeAsync(RunContext run, Node node, CancellationToken ct) => SignalAsync(node, ProcessSignal.Cont, ct);

    public void Dispose()
    {
        _followCts?.Cancel();
        _followCts?.Dispose();
        _followCts = null;
    }

    // ---- following the primary through Sentinel -----------------------------------------------------

    /// <summary>Asks every sentinel which server is the primary, and takes the answer with the highest config epoch
    /// (a sentinel cut off from the others still names the old primary).</summary>
    private async Task FollowAsync(RunContext run, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(200, ct);
                var answers = await Task.WhenAll(Nodes.Select(n => Resp.TryCallAsync(n.Address, SentinelPort, TimeSpan.FromMilliseconds(500), ct, "SENTINEL", "MASTER", MasterName)));
                var best = answers.Select(Resp.Pairs).Where(p => p.ContainsKey("ip") && p.ContainsKey("config-epoch"))
                    .MaxBy(p => long.Parse(p["config-epoch"], CultureInfo.InvariantCulture));
                if (best is null || Nodes.FirstOrDefault(n => n.Address == best["ip"]) is not { } now || now == _primary) continue;
                var old = _primary;
                _primary = now;
                var invoke = run.Recorder.Record(Operation.Invoke(Operation.NemesisProcess, "failover", Datum.Map([new(Datum.Of("from"), Datum.Of(old?.Name))])));
                run.Recorder.Record(invoke with
                {
                    Type = OpType.Info,
                    Index = -1,
                    TimeNanos = -1,
                    Value = Datum.Map([
                        new(Datum.Of("from"), Datum.Of(old?.Name)),
                        new(Datum.Of("to"), Datum.Of(now.Name)),
                        new(Datum.Of("nodes"), Datum.Vec(Datum.Of(now.Name))),
                        new(Datum.Of("config-epoch"), Datum.Of(long.Parse(best["config-epoch"], CultureInfo.InvariantCulture))),
                    ]),
                });
                run.Logger.LogWarning("redis: sentinel failover: {New} replaces {Old} as the primary (config epoch {Epoch})", now, old, best["config-epoch"]);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or FormatException or System.Net.Sockets.SocketException)
            {
                if (run.Logger.IsEnabled(LogLevel.Debug)) run.Logger.LogDebug("redis: following the primary: {Error}", e.Message);
            }
        }
    }

    // ---- servers -------------------------------------------------------------------------------------

    private async Task StartServerAsync(Node node, CancellationToken ct)
    {
        var server = await Cluster.Remote(node).StartAsync(new ServerSpec(["redis-server", ConfigPath(node)], LogPath(node)) { User = User }, ct);
        lock (_lock)
        {
            _servers[node.Name] = server;
            _paused.Remove(node.Name);
        }
        await WaitAsync($"redis-server on {node} to answer", async () =>
            server.HasExited ? throw new InvalidOperationException($"redis-server on {node} exited at start; see {LogPath(node)}")
                : await Resp.TryCallAsync(node.Address, Port, TimeSpan.FromSeconds(1), ct, "PING") is "PONG", ct);
    }

    private async Task StartSentinelAsync(Node node, CancellationToken ct)
    {
        var sentinel = await Cluster.Remote(node).StartAsync(new ServerSpec(["redis-sentinel", SentinelConfigPath(node)], SentinelLogPath(node)) { User = User }, ct);
        lock (_lock) _sentinels[node.Name] = sentinel;
        await WaitAsync($"redis-sentinel on {node} to answer", async () =>
            sentinel.HasExited ? throw new InvalidOperationException($"redis-sentinel on {node} exited at start; see {SentinelLogPath(node)}")
                : await Resp.TryCallAsync(node.Address, SentinelPort, TimeSpan.FromSeconds(1), ct, "PING") is "PONG", ct);
    }

    private async Task KillAsync(Dictionary<string, IRemoteProcess> processes, Node node, CancellationToken ct)
    {
        IRemoteProcess? process;
        lock (_lock)
        {
            processes.Remove(node.Name, out process);
            if (processes == _servers) _paused.Remove(node.Name);
        }
        if (process is null) return;
        await process.SignalAsync(ProcessSignal.Kill, withChildren: true, ct);
        await process.WaitForExitAsync(ct);
        await process.DisposeAsync();
    }

    private async Task SignalAsync(Node node, ProcessSignal signal, CancellationToken ct)
    {
        IRemoteProcess? server;
        lock (_lock) server = _servers.GetValueOrDefault(node.Name);
        if (server is null || server.HasExited) return;
        await server.SignalAsync(signal, withChildren: true, ct);
        lock (_lock)
        {
            if (signal == ProcessSignal.Stop) _paused.Add(node.Name);
            else _paused.Remove(node.Name);
        }
    }

    private static async Task WaitAsync(string what, Func<Task<bool>> done, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await done())
        {
            if (DateTime.UtcNow > deadline) throw new InvalidOperationException($"timed out after 30 s waiting for {what}; see the node logs");
            await Task.Delay(50, ct);
        }
    }

    // ---- files ---------------------------------------------------------------------------------------

    private string ServerConfig(Node node, Node? primary) => string.Join('\n', new[]
    {
        "# harness",
        $"bind {node.Address}",
        $"port {Port}",
        "protected-mode no",
        "daemonize no",
        "logfile \"\"",
        $"dir {Dir(node)}",
        // durable across a kill: a restarted server comes back with its data (everysec, Redis's recommended fsync)
        "appendonly yes",
        "appendfsync everysec",
        "save \"\"",
        "repl-diskless-sync-delay 0",
        $"replica-announce-ip {node.Address}",
        primary is null ? "" : $"replicaof {primary.Address} {Port}",
    }) + "\n";

    private string SentinelConfig(Node node, Node primary, int quorum) => string.Join('\n', new[]
    {
        "# harness",
        $"bind {node.Address}",
        $"port {SentinelPort}",
        "protected-mode no",
        "daemonize no",
        "logfile \"\"",
        $"dir {Dir(node)}",
        $"sentinel announce-ip {node.Address}",
        $"sentinel monitor {MasterName} {primary.Address} {Port} {quorum}",
        $"sentinel down-after-milliseconds {MasterName} {settings.DownAfterMillis}",
        $"sentinel failover-timeout {MasterName} 5000",
        $"sentinel parallel-syncs {MasterName} 2",
    }) + "\n";

    private ICluster Cluster => _cluster ?? throw new InvalidOperationException("redis is not set up");

    private string Dir(Node node) => $"{Cluster.Remote(node).Directory}/redis";

    private string ConfigPath(Node node) => $"{Dir(node)}/redis.conf";

    private string SentinelConfigPath(Node node) => $"{Dir(node)}/sentinel.conf";

    private string LogPath(Node node) => $"{Cluster.Remote(node).LogDirectory}/redis.log";

    private string SentinelLogPath(Node node) => $"{Cluster.Remote(node).LogDirectory}/sentinel.log";
}
