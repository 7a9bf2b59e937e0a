using System.Globalization;
using Harness.Core.Control;
using Harness.Core.Databases;
using Microsoft.Extensions.Logging;
using Npgsql;
using Harness.Core.Runs;

namespace Harness.Databases.Postgres;

/// <summary>
/// PostgreSQL with streaming replication: n1 starts as the primary (initdb), the others are standbys cloned
/// with pg_basebackup -R, each with application_name = its node name. Every <c>postgres</c> is a direct child
/// of the harness (no pg_ctl, so no zombie postmaster after kill -9). With <c>--failover promote</c> a background
/// manager promotes the most advanced replica when the primary is gone (see PostgresDatabase.Failover.cs).
/// </summary>
public sealed partial class PostgresDatabase(PostgresSettings settings) : IDatabase, IKillable, IPausable, IHasLogFiles, IHasPrimary, IHasReplicationLag, IDisposable
{
    public const int Port = 5432;
    private const string User = "postgres";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, IRemoteProcess> _servers = [];
    private readonly HashSet<string> _paused = [];
    /// <summary>Standbys whose WAL receiver the lag fault holds (primary_conninfo emptied); the failover manager leaves them alone.</summary>
    private readonly HashSet<string> _held = [];
    /// <summary>Old primaries replaced by a promotion: rebuilt as standbys of the new primary before they start again.</summary>
    private readonly HashSet<string> _deposed = [];
    private readonly SemaphoreSlim _topology = new(1, 1);
    private string _bin = "/usr/lib/postgresql/15/bin";
    private ICluster? _cluster;
    private volatile Node? _primary;

    public PostgresSettings Settings => settings;

    /// <summary>The node clients send writes to now (null before setup).</summary>
    public Node? Primary => _primary;

    /// <summary>Every node of the cluster (empty before setup).</summary>
    public IReadOnlyList<Node> Nodes => _cluster?.Nodes ?? [];

    public Task<Node?> PrimaryAsync(RunContext run, CancellationToken ct) => Task.FromResult(_primary);

    public IReadOnlyList<string> LogFiles(RunContext run, Node node) => [LogPath(node)];

    /// <summary>A connection string for a client of <paramref name="node"/> (no pooling: a killed server's sockets are never reused).</summary>
    public string ConnectionString(Node node, TimeSpan? commandTimeout = null, double connectTimeoutSeconds = 2) => new NpgsqlConnectionStringBuilder
    {
        Host = node.Address,
        Port = Port,
        Username = User,
        Database = "postgres",
        Pooling = false,
        Timeout = (int)Math.Ceiling(connectTimeoutSeconds),
        CommandTimeout = (int)Math.Ceiling((commandTimeout ?? settings.OpTimeout).TotalSeconds),
        CancellationTimeout = 1000,
        IncludeErrorDetail = true,
        ApplicationName = "harness",
    }.ConnectionString;

    public async Task SetupAsync(RunContext run, CancellationToken ct)
    {
        _cluster = run.Cluster;
        var nodes = run.Nodes;
        var primary = nodes[0];
        Trace(run, "setup: start");
        _bin = await FindBinDirectoryAsync(Cluster.Remote(primary), ct);
        var template = await EnsureTemplateAsync(primary, ct);
        Trace(run, "setup: template ready");
        // Every node that sees the primary's template (the same filesystem: netns nodes, root's containers, the SSH
        // sandbox) starts from a copy of that cleanly shut down initdb cluster (a valid cold base backup, so the same
        // system identifier), and needs no pg_basebackup: n1 runs as the primary, the others as its streaming
        // standbys. A node with a template of its own (a real host, a container without the shared cache) is
        // cloned from the running primary with pg_basebackup instead.
        var copies = await Task.WhenAll(nodes.Select(async n => n == primary || await SeesTemplateAsync(n, template, ct)));
        var copied = nodes.Where((_, i) => copies[i]).ToList();
        await Task.WhenAll(copied.Select(async n =>
        {
            var dir = DataDir(n);
            var remote = Cluster.Remote(n);
            await remote.ExecCheckedAsync(["sh", "-c", "rm -rf \"$1\" && cp -a \"$0\" \"$1\"", template.Path, dir], ct);
            await remote.AppendFileAsync($"{dir}/postgresql.conf", ServerConfig(nodes), ct, User);
            await remote.AppendFileAsync($"{dir}/pg_hba.conf", string.Concat(Cluster.ClientNetworks.Select(net =>
                $"host all all {net} trust\nhost replication all {net} trust\n")), ct, User);
            if (n != primary) await WriteStandbyConfigAsync(n, primary, ct);
        }));
        Trace(run, "setup: data directories ready");
        _primary = primary;
        await Task.WhenAll(copied.Select(n => StartServerAsync(n, ct)));
        await Task.WhenAll(nodes.Except(copied).Select(n => CloneAsync(n, primary, ct)));
        Trace(run, "setup: standbys ready");
        await WaitForStandbysAsync(primary, nodes.Length - 1, ct);
        if (run.Logger.IsEnabled(LogLevel.Information)) run.Logger.LogInformation("postgres: primary {Primary}, {Count} streaming standbys, replication {Mode}", primary, nodes.Length - 1, settings.Replication);
        if (settings.Failover == "promote") StartFailoverManager(run);
    }

    private static void Trace(RunContext run, string message)
    {
        if (run.Logger.IsEnabled(LogLevel.Debug)) run.Logger.LogDebug("postgres {Step}", message);
    }

    public async Task TeardownAsync(RunContext run, CancellationToken ct)
    {
        await StopFailoverManagerAsync();
        if (_cluster is null) return;
        await Task.WhenAll(_cluster.Nodes.Select(async n =>
        {
            await KillServerAsync(n, ct);
            await RemoveSharedMemoryAsync(n, ct);
            await _cluster.Remote(n).ExecAsync(["rm", "-rf", DataDir(n)], ct);
        }));
    }

    public async Task KillAsync(RunContext run, Node node, CancellationToken ct)
    {
        await _topology.WaitAsync(ct);
        try { await KillServerAsync(node, ct); }
        finally { _topology.Release(); }
    }

    public async Task StartAsync(RunContext run, Node node, CancellationToken ct)
    {
        await _topology.WaitAsync(ct);
        try
        {
            if (IsRunning(node)) return;
            var primary = _primary ?? node;
            bool rebuild;
            lock (_lock) rebuild = _deposed.Remove(node.Name);
            if (rebuild && primary != node)
            {
                if (run.Logger.IsEnabled(LogLevel.Information)) run.Logger.LogInformation("postgres: {Node} was deposed; rebuilding it as a standby of {Primary}", node, primary);
                try
                {
                    await CloneAsync(node, primary, ct);
                }
                catch
                {
                    lock (_lock) _deposed.Add(node.Name); // still deposed: its data is gone or diverged
                    throw;
                }
                return;
            }
            if (primary != node) await WriteStandbyConfigAsync(node, primary, ct);
            await StartServerAsync(node, ct);
        }
        finally { _topology.Release(); }
    }

    public Task PauseAsync(RunContext run, Node node, CancellationToken ct) => SignalTreeAsync(node, ProcessSignal.Stop, ct);

    public Task ResumeAsync(RunContext run, Node node, CancellationToken ct) => SignalTreeAsync(node, ProcessSignal.Cont, ct);

    // ---- the lag fault -------------------------------------------------------------------------------

    public Task<IReadOnlyList<Node>> ReplicasAsync(RunContext run, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<Node>>([.. Nodes.Where(n => n != _primary && IsRunning(n))]);

    /// <summary>Holds each standby's WAL receiver: an empty primary_conninfo, reloaded, stops it and keeps it
    /// stopped (PostgreSQL 13+; https://www.postgresql.org/docs/15/runtime-config-replication.html#GUC-PRIMARY-CONNINFO).
    /// The standby keeps serving reads from what it had; with synchronous replication, commits wait for it.</summary>
    public async Task HoldAsync(RunContext run, IReadOnlyList<Node> replicas, CancellationToken ct)
    {
        foreach (var n in replicas)
        {
            lock (_lock) _held.Add(n.Name);
            await ExecuteAsync(n, "ALTER SYSTEM SET primary_conninfo = ''", ct);
            await ExecuteAsync(n, "SELECT pg_reload_conf()", ct);
        }
    }

    /// <summary>Points every held standby at the current primary again; it streams and replays what it missed.</summary>
    public async Task ReleaseAsync(RunContext run, CancellationToken ct)
    {
        List<Node> held;
        lock (_lock) held = [.. Nodes.Where(n => _held.Contains(n.Name))];
        foreach (var n in held)
        {
            var primary = _primary;
            if (primary is not null && primary != n && IsRunning(n))
            {
                try
                {
                    await ExecuteAsync(n, $"ALTER SYSTEM SET primary_conninfo = '{PrimaryConninfo(n, primary)}'", ct);
                    await ExecuteAsync(n, "SELECT pg_reload_conf()", ct);
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
                {
                    // unreachable now (killed, paused, cut off): its next start points it at the primary anyway
                    if (run.Logger.IsEnabled(LogLevel.Information)) run.Logger.LogInformation("postgres lag: cannot release {Node} yet: {Error}", n, e.Message);
                }
            }
            lock (_lock) _held.Remove(n.Name);
        }
    }

    private bool IsHeld(Node node)
    {
        lock (_lock) return _held.Contains(node.Name);
    }

    public void Dispose()
    {
        _topology.Dispose();
        _failover?.Dispose();
    }

    // ---- servers -------------------------------------------------------------------------------------

    private bool IsRunning(Node node)
    {
        lock (_lock) return _servers.TryGetValue(node.Name, out var s) && !s.HasExited;
    }

    private IRemoteProcess? Server(Node node)
    {
        lock (_lock) return _servers.TryGetValue(node.Name, out var s) ? s : null;
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
        // Like `kill -9` of every postgres process of the node at once, postmaster first (so it forks no more):
        // an orphaned backend would keep serving its open connection.
        await server.SignalAsync(ProcessSignal.Kill, withChildren: true, ct);
        await server.WaitForExitAsync(ct);
        await server.DisposeAsync();
    }

    /// <summary>Starts postgres on the node and waits until it accepts connections (retrying while the old
    /// postmaster's backends still hold its shared memory after a kill).</summary>
    private async Task StartServerAsync(Node node, CancellationToken ct)
    {
        var remote = Cluster.Remote(node);
        for (var attempt = 1; ; attempt++)
        {
            var server = await remote.StartAsync(new ServerSpec([Bin("postgres"), "-D", DataDir(node)], LogPath(node)) { User = User }, ct);
            lock (_lock) _servers[node.Name] = server;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!server.HasExited)
            {
                if (await CanQueryAsync(node, ct)) return;
                // Still running but not ready (e.g. a standby that needs WAL from a primary it cannot reach):
                // leave it running; it serves once it can.
                if (DateTime.UtcNow > deadline) return;
                await Task.Delay(25, ct);
            }
            lock (_lock) _servers.Remove(node.Name);
            await server.DisposeAsync();
            if (attempt >= 20) throw new InvalidOperationException($"postgres on {node} exits at start; see {LogPath(node)}");
            await Task.Delay(200, ct);
        }
    }

    private async Task<bool> CanQueryAsync(Node node, CancellationToken ct)
    {
        try
        {
            await using var conn = new NpgsqlConnection(ConnectionString(node, TimeSpan.FromSeconds(2), 1));
            await conn.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand("SELECT 1", conn);
            await cmd.ExecuteScalarAsync(ct);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException)
        {
            return false;
        }
    }

    /// <summary>Rebuilds <paramref name="node"/> as a fresh standby of <paramref name="primary"/> and starts it.</summary>
    private async Task CloneAsync(Node node, Node primary, CancellationToken ct)
    {
        await PrepareDataDirectoryAsync(node, ct);
        await ExecCheckedAsync(node, AsPostgres([Bin("pg_basebackup"), "-h", primary.Address, "-p", Port.ToString(CultureInfo.InvariantCulture),
            "-U", User, "-D", DataDir(node), "-R", "-X", "stream", "-c", "fast"]), ct);
        await WriteStandbyConfigAsync(node, primary, ct);
        await StartServerAsync(node, ct);
    }

    /// <summary>Points a (stopped) standby at the primary: standby.signal and primary_conninfo with its application_name.</summary>
    private async Task WriteStandbyConfigAsync(Node node, Node primary, CancellationToken ct)
    {
        var dir = DataDir(node);
        var remote = Cluster.Remote(node);
        var auto = $"{dir}/postgresql.auto.conf";
        var lines = (await remote.ReadFileAsync(auto, ct) ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var kept = lines.Where(l => !l.TrimStart().StartsWith("primary_conninfo", StringComparison.Ordinal));
        await remote.WriteFileAsync(auto, string.Join('\n', [.. kept, $"primary_conninfo = '{PrimaryConninfo(node, primary)}'"]) + "\n", ct, User);
        await remote.WriteFileAsync($"{dir}/standby.signal", "", ct, User);
    }

    /// <summary>A bare initdb cluster kept per machine and PostgreSQL version (made once, copied per run), and the
    /// random id in its harness.id, which tells nodes that see this very template from nodes with their own.</summary>
    private async Task<(string Path, string Id)> EnsureTemplateAsync(Node node, CancellationToken ct)
    {
        var remote = Cluster.Remote(node);
        var version = Path.GetFileName(Path.GetDirectoryName(_bin)) ?? "pg";
        var template = $"{RemoteExtensions.CacheDirectory}/pg{version}-template-v2";
        if (await remote.ReadFileAsync($"{template}/harness.id", ct) is { Length: > 0 } made) return (template, made.Trim());
        var building = $"{template}.{Environment.ProcessId}";
        await ExecCheckedAsync(node, ["sh", "-c", "mkdir -p \"$1\" && chmod 755 \"$1\" && rm -rf \"$0\" && mkdir \"$0\" && chown postgres:postgres \"$0\" && chmod 700 \"$0\"",
            building, RemoteExtensions.CacheDirectory], ct);
        await ExecCheckedAsync(node, AsPostgres([Bin("initdb"), "-D", building, "-U", User, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "-N"]), ct);
        await remote.WriteFileAsync($"{building}/harness.id", Guid.NewGuid().ToString("N") + "\n", ct);
        // rename is atomic; a concurrent run that won the race leaves its template, and ours is removed
        await Cluster.Remote(node).ExecAsync(["sh", "-c", "mv -T \"$0\" \"$1\" 2>/dev/null || rm -rf \"$0\"", building, template], ct);
        var id = await remote.ReadFileAsync($"{template}/harness.id", ct)
            ?? throw new InvalidOperationException($"the initdb template {template} on {node} has no harness.id");
        return (template, id.Trim());
    }

    /// <summary>Whether <paramref name="node"/> sees the very template <paramref name="template"/> (same id).</summary>
    private async Task<bool> SeesTemplateAsync(Node node, (string Path, string Id) template, CancellationToken ct) =>
        (await Cluster.Remote(node).ReadFileAsync($"{template.Path}/harness.id", ct))?.Trim() == template.Id;

    private static string PrimaryConninfo(Node node, Node primary) =>
        $"host={primary.Address} port={Port} user={User} application_name={node.Name} connect_timeout=2";

    private async Task WaitForStandbysAsync(Node primary, int count, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        await using var conn = new NpgsqlConnection(ConnectionString(primary));
        await conn.OpenAsync(ct);
        while (DateTime.UtcNow < deadline)
        {
            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'", conn);
            if ((long)(await cmd.ExecuteScalarAsync(ct) ?? 0L) >= count) return;
            await Task.Delay(20, ct);
        }
        throw new InvalidOperationException($"only some of the {count} standbys stream from {primary} after 20 s; see the node logs");
    }

    /// <summary>Signals the postmaster and every backend of the node (pausing only the postmaster would leave
    /// open connections working).</summary>
    private async Task SignalTreeAsync(Node node, ProcessSignal signal, CancellationToken ct)
    {
        var server = Server(node);
        if (server is null || server.HasExited) return;
        await server.SignalAsync(signal, withChildren: true, ct);
        lock (_lock)
        {
            if (signal == ProcessSignal.Stop) _paused.Add(node.Name);
            else _paused.Remove(node.Name);
        }
    }

    // ---- files and commands --------------------------------------------------------------------------

    private ICluster Cluster => _cluster ?? throw new InvalidOperationException("postgres is not set up");

    private string DataDir(Node node) => $"{Cluster.Remote(node).Directory}/pg";

    private string LogPath(Node node) => $"{Cluster.Remote(node).LogDirectory}/postgres.log";

    private string Bin(string tool) => Path.Combine(_bin, tool);

    private static string[] AsPostgres(string[] argv) => [.. RemoteExtensions.AsUser(User, argv)];

    /// <summary>Removes the small System V segment a killed postmaster leaves (its id is on line 7 of
    /// postmaster.pid) when no process is attached any more; a restart in the same directory would reuse it,
    /// but a wiped or rebuilt directory would leak it.</summary>
    private async Task RemoveSharedMemoryAsync(Node node, CancellationToken ct)
    {
        var pidFile = await Cluster.Remote(node).ReadFileAsync($"{DataDir(node)}/postmaster.pid", ct);
        if (pidFile is null) return;
        var lines = pidFile.Split('\n');
        if (lines.Length < 7) return;
        var parts = lines[6].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || !int.TryParse(parts[1], out var shmid)) return;
        // killed backends detach as they finish exiting: give them a moment
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var segments = await Cluster.Remote(node).ExecAsync(["ipcs", "-m"], ct);
            var segment = segments.Stdout.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .FirstOrDefault(f => f.Length >= 6 && f[1] == parts[1]);
            if (segment is null) return;
            if (segment[5] == "0")
            {
                await Cluster.Remote(node).ExecAsync(["ipcrm", "-m", shmid.ToString(CultureInfo.InvariantCulture)], ct);
                return;
            }
            await Task.Delay(50, ct);
        }
    }

    private async Task PrepareDataDirectoryAsync(Node node, CancellationToken ct)
    {
        var dir = DataDir(node);
        await RemoveSharedMemoryAsync(node, ct);
        await ExecCheckedAsync(node, ["sh", "-c", "rm -rf \"$0\" && mkdir -p \"$0\" && chown postgres:postgres \"$0\" && chmod 700 \"$0\"", dir], ct);
    }

    private async Task ExecCheckedAsync(Node node, string[] argv, CancellationToken ct) =>
        await Cluster.Remote(node).ExecCheckedAsync(argv, ct);

    private string ServerConfig(IReadOnlyList<Node> nodes)
    {
        var lines = new List<string>
        {
            "",
            "# harness",
            "listen_addresses = '*'",
            "unix_socket_directories = ''",
            $"port = {Port}",
            "wal_level = replica",
            "max_wal_senders = 16",
            "hot_standby = on",
            "wal_keep_size = 256MB",
            "wal_log_hints = on",
            "shared_buffers = 32MB",
            "max_connections = 200",
            "wal_sender_timeout = 2s",
            "wal_receiver_timeout = 2s",
            "wal_receiver_status_interval = 1s",
            "wal_retrieve_retry_interval = 500ms",
            "max_standby_streaming_delay = 1s",
            "deadlock_timeout = 100ms",
            // dynamic shared memory as files in the data directory: a killed server's segments go with it
            // (the default, posix, leaves /dev/shm/PostgreSQL.* behind after every kill -9)
            "dynamic_shared_memory_type = mmap",
            "log_line_prefix = '%m [%p] %a '",
            // only standbys apply WAL; a promoted standby stops delaying
            $"recovery_min_apply_delay = {settings.LagMs}ms",
        };
        if (settings.IsSynchronous)
        {
            lines.Add($"synchronous_standby_names = 'ANY {settings.SyncReplicas} ({string.Join(", ", nodes.Select(n => n.Name))})'");
            lines.Add($"synchronous_commit = {(settings.Replication == PostgresSettings.RemoteApply ? "remote_apply" : "on")}");
        }
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>The newest PostgreSQL server installed on the node (Debian's layout: /usr/lib/postgresql/N/bin).</summary>
    private static async Task<string> FindBinDirectoryAsync(IRemote remote, CancellationToken ct)
    {
        var found = await remote.ExecAsync(["sh", "-c", "ls -d /usr/lib/postgresql/*/bin/postgres 2>/dev/null"], ct);
        return found.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => Path.GetDirectoryName(p)!)
            .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
            .FirstOrDefault() ?? throw new InvalidOperationException($"no PostgreSQL server on {remote.Node} (/usr/lib/postgresql/*/bin/postgres); install postgresql");
    }
}
