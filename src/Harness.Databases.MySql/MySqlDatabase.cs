using System.Globalization;
using System.Net;
using System.Text;
using Harness.Core;
using Harness.Core.Control;
using Harness.Core.Databases;
using Harness.Core.Histories;
using Harness.Core.Runs;
using Microsoft.Extensions.Logging;
using MySqlConnector;

namespace Harness.Databases.MySql;

/// <summary>
/// MariaDB on every node: each <c>mariadbd</c> a direct child of the harness (started through the node's
/// remote as the mysql user), with its own datadir, socket, pid file and config under the node's directory and
/// its log under the node's log directory. Every datadir is a copy of one <c>mariadb-install-db</c> template kept
/// per machine and version. Topologies: a GTID primary (n1) with async or semi-sync replicas (optional failover,
/// see MySqlDatabase.Failover.cs), Galera (n1 bootstraps, the others join one at a time by rsync SST), or
/// multi-primary (every node replicates from every other, one GTID domain per node).
/// </summary>
public sealed partial class MySqlDatabase(MySqlSettings settings)
    : IDatabase, IKillable, IPausable, IHasLogFiles, IHasPrimary, IHasNodeStates, IHasReplicationLag, IHasReplicationStatus, IDisposable
{
    public const int Port = 3306;
    public const string User = "jepsen";
    private const string Password = "jepsen";
    private const string OsUser = "mysql";
    public const string Schema = "jepsen";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, IRemoteProcess> _servers = [];
    /// <summary>Old primaries replaced by a promotion: rebuilt as replicas of the new primary before they start again.</summary>
    private readonly HashSet<string> _deposed = [];
    private readonly SemaphoreSlim _topology = new(1, 1);
    private ICluster? _cluster;
    private volatile Node? _primary;
    private string _version = "";

    public MySqlSettings Settings => settings;

    /// <summary>The node clients send writes to now (primary-replica), or n1 (galera, multi-primary); null before setup.</summary>
    public Node? Primary => _primary;

    public IReadOnlyList<Node> Nodes => _cluster?.Nodes ?? [];

    public TimeSpan SettleTime => settings.SettleTime;

    /// <summary>The primary for kill-primary and partitions of shape primaries: with galera and multi-primary, n1.</summary>
    public Task<Node?> PrimaryAsync(RunContext run, CancellationToken ct) => Task.FromResult(_primary);

    public IReadOnlyList<string> LogFiles(RunContext run, Node node) => [LogPath(node)];

    /// <summary>A connection string for a client of <paramref name="node"/> (no pooling: a killed server's sockets are never reused).</summary>
    public string ConnectionString(Node node, TimeSpan? commandTimeout = null, int connectTimeoutSeconds = 2) => new MySqlConnectionStringBuilder
    {
        Server = node.Address,
        Port = Port,
        UserID = User,
        Password = Password,
        Database = Schema,
        Pooling = false,
        ConnectionTimeout = (uint)connectTimeoutSeconds,
        DefaultCommandTimeout = (uint)Math.Ceiling((commandTimeout ?? settings.OpTimeout).TotalSeconds),
        CancellationTimeout = 1,
        SslMode = MySqlSslMode.None,
        AllowUserVariables = true,
        ApplicationName = "harness",
    }.ConnectionString;

    // ---- setup and teardown ----------------------------------------------------------------------------

    public async Task SetupAsync(RunContext run, CancellationToken ct)
    {
        _cluster = run.Cluster;
        var nodes = run.Nodes;
        var first = Cluster.Remote(nodes[0]);
        _version = (await first.ExecCheckedAsync(["mariadbd", "--version"], ct)).Stdout.Trim();
        if (settings.SnapshotIsolation is not null)
        {
            var help = (await first.ExecCheckedAsync(["mariadbd", "--no-defaults", "--verbose", "--help"], ct)).Stdout;
            if (!help.Contains("innodb-snapshot-isolation", StringComparison.Ordinal))
                throw new UserErrorException($"--innodb-snapshot-isolation: this server has no innodb_snapshot_isolation ({ShortVersion}); it arrived in MariaDB 10.6.18, 10.11.8 and 11.4.2");
        }
        await EnsureTemplateAsync(first, ct);
        Trace(run, "template ready");
        await Task.WhenAll(nodes.Select(async n =>
        {
            var remote = Cluster.Remote(n);
            await remote.MakeDirectoryAsync(Dir(n), OsUser, Convert.ToInt32("755", 8), ct);
            // each node's own (the first node's, where they share a filesystem; a real host makes its own once)
            var template = await EnsureTemplateAsync(remote, ct);
            await remote.ExecCheckedAsync(["sh", "-c", "rm -rf \"$1\" && cp -a \"$0\" \"$1\"", template, DataDir(n)], ct);
            await remote.WriteFileAsync(ConfigPath(n), ServerConfig(n, nodes), ct, OsUser);
        }));
        _primary = nodes[0];
        switch (settings.Topology)
        {
            case MySqlSettings.Galera:
                await SetupGaleraAsync(run, nodes, ct);
                break;
            case MySqlSettings.MultiPrimary:
                await Task.WhenAll(nodes.Select(n => StartAndBootstrapAsync(n, ct)));
                await Task.WhenAll(nodes.Select(n => ConnectSourcesAsync(n, [.. nodes.Where(m => m != n)], ct)));
                await Task.WhenAll(nodes.Select(n => WaitForReplicationAsync(n, nodes.Length - 1, ct)));
                break;
            default:
                await Task.WhenAll(nodes.Select(n => StartAndBootstrapAsync(n, ct)));
                await EnableSemiSyncPrimaryAsync(nodes[0], ct);
                await Task.WhenAll(nodes.Skip(1).Select(n => ConnectSourcesAsync(n, [nodes[0]], ct)));
                await Task.WhenAll(nodes.Skip(1).Select(n => WaitForReplicationAsync(n, 1, ct)));
                if (settings.Replication == MySqlSettings.SemiSync && nodes.Length > 1) await WaitForSemiSyncClientsAsync(nodes[0], ct);
                break;
        }
        if (run.Logger.IsEnabled(LogLevel.Information))
            run.Logger.LogInformation("mysql: {Version}, {Topology} on {Count} nodes{Replication}", ShortVersion, settings.Topology, nodes.Length,
                settings.Topology == MySqlSettings.PrimaryReplica ? $", primary {nodes[0]}, replication {settings.Replication}" : "");
        if (settings.Failover == "promote") StartFailoverManager(run);
    }

    private string ShortVersion => _version.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipWhile(w => w != "Ver").Skip(1).FirstOrDefault() ?? _version;

    private static void Trace(RunContext run, string message)
    {
        if (run.Logger.IsEnabled(LogLevel.Debug)) run.Logger.LogDebug("mysql {Step}", message);
    }

    public async Task TeardownAsync(RunContext run, CancellationToken ct)
    {
        await StopFailoverManagerAsync();
        if (_cluster is null) return;
        await Task.WhenAll(_cluster.Nodes.Select(async n =>
        {
            await KillServerAsync(n, ct);
            await _cluster.Remote(n).ExecAsync(["rm", "-rf", Dir(n)], ct);
        }));
    }

    public void Dispose()
    {
        _topology.Dispose();
        _failover?.Dispose();
    }

    /// <summary>Starts a fresh node's server and creates the test's user and schema on it alone (not binlogged,
    /// so every node starts with an empty GTID history).</summary>
    private async Task StartAndBootstrapAsync(Node node, CancellationToken ct)
    {
        await StartServerAsync(node, [], ct);
        await AdminAsync(node, "SET SESSION sql_log_bin = 0; " + BootstrapSql(), ct);
    }

    private string BootstrapSql()
    {
        var sql = new StringBuilder();
        foreach (var host in Cluster.ClientNetworks.Select(HostPattern))
            sql.Append(CultureInfo.InvariantCulture, $"CREATE USER IF NOT EXISTS '{User}'@'{host}' IDENTIFIED BY '{Password}'; GRANT ALL ON *.* TO '{User}'@'{host}' WITH GRANT OPTION; ");
        sql.Append(CultureInfo.InvariantCulture, $"CREATE DATABASE IF NOT EXISTS {Schema};");
        return sql.ToString();
    }

    /// <summary>A CIDR as MariaDB's host pattern 'address/netmask' (e.g. 10.77.3.0/255.255.255.0).</summary>
    internal static string HostPattern(string cidr)
    {
        var parts = cidr.Split('/');
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var ip) || !int.TryParse(parts[1], out var bits) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            throw new InvalidOperationException($"client network '{cidr}' is not an IPv4 CIDR");
        var mask = bits == 0 ? 0u : uint.MaxValue << (32 - bits);
        return $"{parts[0]}/{mask >> 24}.{(mask >> 16) & 255}.{(mask >> 8) & 255}.{mask & 255}";
    }

    /// <summary>Points <paramref name="node"/> at its sources (one unnamed connection, or one named per source for multi-primary) and starts replication.</summary>
    private async Task ConnectSourcesAsync(Node node, IReadOnlyList<Node> sources, CancellationToken ct)
    {
        var sql = new StringBuilder();
        foreach (var source in sources)
        {
            var name = settings.Topology == MySqlSettings.MultiPrimary ? $"'{source.Name}' " : "";
            sql.Append(CultureInfo.InvariantCulture, $"CHANGE MASTER {name}TO {MasterOptions(source)}; START SLAVE {name.TrimEnd()};");
        }
        await ExecuteAsync(node, sql.ToString(), ct);
    }

    /// <summary>The CHANGE MASTER options for a replica of <paramref name="source"/>; with --lag-ms, MASTER_DELAY in
    /// whole seconds (https://mariadb.com/kb/en/delayed-replication/).</summary>
    private string MasterOptions(Node source) =>
        $"MASTER_HOST = '{source.Address}', MASTER_PORT = {Port}, MASTER_USER = '{User}', MASTER_PASSWORD = '{Password}', " +
        "MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1, MASTER_HEARTBEAT_PERIOD = 0.5" +
        (settings.LagMs > 0 ? string.Create(CultureInfo.InvariantCulture, $", MASTER_DELAY = {settings.LagMs / 1000}") : "");

    private async Task WaitForReplicationAsync(Node node, int connections, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var status = await SlaveStatusAsync(node, ct);
            if (status is not null && status.Count(s => s.IoRunning == "Yes" && s.SqlRunning == "Yes") >= connections) return;
            await Task.Delay(50, ct);
        }
        throw new InvalidOperationException($"replication on {node} did not start within 20 s; see {LogPath(node)}");
    }

    private async Task WaitForSemiSyncClientsAsync(Node primary, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (await ScalarAsync(primary, "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'RPL_SEMI_SYNC_MASTER_CLIENTS'", ct) is string s
                && int.TryParse(s, out var n) && n >= 1) return;
            await Task.Delay(50, ct);
        }
        throw new InvalidOperationException($"no semi-sync replica connected to {primary} within 20 s");
    }

    private async Task SetupGaleraAsync(RunContext run, IReadOnlyList<Node> nodes, CancellationToken ct)
    {
        await StartServerAsync(nodes[0], ["--wsrep-new-cluster"], ct);
        await AdminAsync(nodes[0], BootstrapSql(), ct);
        Trace(run, "galera bootstrapped");
        // one joiner at a time: concurrent state transfers on 2 cores are slower than sequential ones
        foreach (var n in nodes.Skip(1))
        {
            await StartServerAsync(n, [], ct);
            Trace(run, $"galera {n} synced");
        }
    }

    /// <summary>A bare mariadb-install-db datadir kept per machine and server version (made once, copied per run).</summary>
    private async Task<string> EnsureTemplateAsync(IRemote remote, CancellationToken ct)
    {
        var version = ShortVersion.Replace('/', '_');
        var template = $"{RemoteExtensions.CacheDirectory}/mariadb-{version}-template";
        if (await remote.ExistsAsync($"{template}/harness.ok", ct)) return template;
        var building = $"{template}.{Environment.ProcessId}";
        await remote.ExecCheckedAsync(["sh", "-c", "mkdir -p \"$1\" && chmod 755 \"$1\" && rm -rf \"$0\"", building, RemoteExtensions.CacheDirectory], ct);
        // --skip-test-db also skips the anonymous users that would shadow jepsen@<network> for local connections
        await remote.ExecCheckedAsync(["mariadb-install-db", "--no-defaults", $"--datadir={building}", $"--user={OsUser}",
            "--auth-root-authentication-method=socket", "--skip-test-db", "--innodb-log-file-size=16M"], ct);
        await remote.WriteFileAsync($"{building}/harness.ok", "mariadb-install-db template made by harness\n", ct);
        await remote.ExecAsync(["sh", "-c", "mv -T \"$0\" \"$1\" 2>/dev/null || rm -rf \"$0\"", building, template], ct);
        return template;
    }

    private string ServerConfig(Node node, IReadOnlyList<Node> nodes)
    {
        var dir = Dir(node);
        var lockWait = Math.Max(1, (int)(settings.OpTimeout.TotalSeconds / 2));
        var lines = new List<string>
        {
            "[mysqld]",
            $"datadir = {DataDir(node)}",
            $"socket = {dir}/my.sock",
            $"pid-file = {dir}/my.pid",
            $"port = {Port}",
            $"bind-address = {(settings.Topology == MySqlSettings.Galera ? "0.0.0.0" : node.Address)}",
            "skip-name-resolve",
            $"server-id = {node.Number}",
            $"gtid-domain-id = {(settings.Topology == MySqlSettings.MultiPrimary ? node.Number : 0)}",
            "log-bin = binlog",
            "relay-log = relay",
            "relay-log-recovery = ON",
            "binlog-format = ROW",
            $"log-slave-updates = {(settings.Topology == MySqlSettings.MultiPrimary ? "OFF" : "ON")}",
            "sync-binlog = 1",
            "slave-net-timeout = 2",
            "innodb-buffer-pool-size = 32M",
            "innodb-log-file-size = 16M",
            // the run directory may be tmpfs: no O_DIRECT, no native AIO
            "innodb-flush-method = fsync",
            "innodb-use-native-aio = 0",
            "innodb-rollback-on-timeout = ON",
            $"innodb-lock-wait-timeout = {lockWait}",
            "performance-schema = OFF",
            "max-connections = 300",
        };
        if (settings.SnapshotIsolation is { } si) lines.Add($"innodb-snapshot-isolation = {(si ? "ON" : "OFF")}");
        if (settings.Replication == MySqlSettings.SemiSync)
        {
            // only the primary waits for acknowledgements (EnableSemiSyncPrimaryAsync): a replica with it on would make
            // its own SQL thread wait for acks from replicas it does not have (log-slave-updates), up to the timeout
            lines.Add("rpl-semi-sync-master-enabled = OFF");
            lines.Add("rpl-semi-sync-slave-enabled = ON");
            lines.Add($"rpl-semi-sync-master-wait-point = {(settings.SemiSyncWait == "after-commit" ? "AFTER_COMMIT" : "AFTER_SYNC")}");
            lines.Add($"rpl-semi-sync-master-timeout = {settings.SemiSyncTimeoutMs}");
        }
        if (settings.Topology == MySqlSettings.Galera)
        {
            lines.AddRange([
                "wsrep-on = ON",
                "wsrep-provider = /usr/lib/galera/libgalera_smm.so",
                "wsrep-cluster-name = harness",
                $"wsrep-cluster-address = gcomm://{string.Join(',', nodes.Select(n => n.Address))}",
                $"wsrep-node-address = {node.Address}",
                $"wsrep-node-name = {node.Name}",
                "wsrep-sst-method = rsync",
                $"wsrep-sync-wait = {settings.WsrepSyncWait}",
                "wsrep-provider-options = \"gcache.size=32M\"",
                "innodb-autoinc-lock-mode = 2",
                "default-storage-engine = InnoDB",
            ]);
        }
        lines.Add("[client]");
        lines.Add($"socket = {dir}/my.sock");
        return string.Join('\n', lines) + "\n";
    }

    // ---- kill, pause, restart ------------------------------------------------------------------------

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
            bool rebuild;
            lock (_lock) rebuild = _deposed.Remove(node.Name);
            var primary = _primary ?? node;
            if (rebuild && primary != node)
            {
                if (run.Logger.IsEnabled(LogLevel.Information)) run.Logger.LogInformation("mysql: {Node} was deposed; rebuilding it as a replica of {Primary}", node, primary);
                try { await RebuildAsReplicaAsync(node, primary, ct); }
                catch
                {
                    lock (_lock) _deposed.Add(node.Name);
                    throw;
                }
                return;
            }
            await StartServerAsync(node, [], ct);
            if (node == _primary) await EnableSemiSyncPrimaryAsync(node, ct);
        }
        finally { _topology.Release(); }
    }

    /// <summary>With semi-sync, makes <paramref name="node"/> the one node whose commits wait for a replica's acknowledgement.</summary>
    private async Task EnableSemiSyncPrimaryAsync(Node node, CancellationToken ct)
    {
        if (settings.Replication == MySqlSettings.SemiSync) await ExecuteAsync(node, "SET GLOBAL rpl_semi_sync_master_enabled = ON", ct);
    }

    public Task PauseAsync(RunContext run, Node node, CancellationToken ct) => SignalAsync(node, ProcessSignal.Stop, ct);

    public Task ResumeAsync(RunContext run, Node node, CancellationToken ct) => SignalAsync(node, ProcessSignal.Cont, ct);

    private async Task SignalAsync(Node node, ProcessSignal signal, CancellationToken ct)
    {
        var server = Server(node);
        if (server is null || server.HasExited) return;
        await server.SignalAsync(signal, withChildren: true, ct);
    }

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
        lock (_lock) _servers.Remove(node.Name, out server);
        if (server is null) return;
        // kill -9 of mariadbd (and of an SST helper it may be running), continued first if paused
        await server.SignalAsync(ProcessSignal.Kill, withChildren: true, ct);
        await server.WaitForExitAsync(ct);
        await server.DisposeAsync();
    }

    /// <summary>Starts mariadbd on the node and waits until it answers (and, with Galera, until it is Synced).</summary>
    private async Task StartServerAsync(Node node, IReadOnlyList<string> extra, CancellationToken ct)
    {
        var remote = Cluster.Remote(node);
        for (var attempt = 1; ; attempt++)
        {
            // --defaults-file must be the first option, or /etc/mysql/my.cnf applies
            var server = await remote.StartAsync(new ServerSpec(["mariadbd", $"--defaults-file={ConfigPath(node)}", .. extra], LogPath(node)) { User = OsUser }, ct);
            lock (_lock) _servers[node.Name] = server;
            var deadline = DateTime.UtcNow + (settings.Topology == MySqlSettings.Galera ? TimeSpan.FromSeconds(90) : TimeSpan.FromSeconds(30));
            while (!server.HasExited)
            {
                if (await ReadyAsync(node, ct)) return;
                if (DateTime.UtcNow > deadline) return; // running but not ready (e.g. cut off): it serves once it can
                await Task.Delay(50, ct);
            }
            lock (_lock) _servers.Remove(node.Name);
            await server.DisposeAsync();
            if (attempt >= 10) throw new InvalidOperationException($"mariadbd on {node} exits at start; see {LogPath(node)}");
            await Task.Delay(200, ct);
        }
    }

    private async Task<bool> ReadyAsync(Node node, CancellationToken ct)
    {
        var sql = settings.Topology == MySqlSettings.Galera
            ? "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_LOCAL_STATE_COMMENT'"
            : "SELECT 'Synced'";
        var result = await Cluster.Remote(node).ExecAsync(["mariadb", $"--defaults-file={ConfigPath(node)}", "-N", "-B", "-e", sql], ct);
        return result.Succeeded && result.Stdout.Trim() == "Synced";
    }

    /// <summary>Wipes <paramref name="node"/> and makes it a fresh replica of <paramref name="primary"/>: a copy of the
    /// template, then a consistent dump of the test schema with the primary's GTID position, then replication.</summary>
    private async Task RebuildAsReplicaAsync(Node node, Node primary, CancellationToken ct)
    {
        var remote = Cluster.Remote(node);
        await KillServerAsync(node, ct);
        var template = await EnsureTemplateAsync(remote, ct);
        await remote.ExecCheckedAsync(["sh", "-c", "rm -rf \"$1\" && cp -a \"$0\" \"$1\"", template, DataDir(node)], ct);
        await StartAndBootstrapAsync(node, ct);
        // --gtid --master-data sets gtid_slave_pos to the dump's position; sql_log_bin = 0 keeps the load out of the binlog
        await remote.ExecCheckedAsync(["sh", "-c",
            "{ echo 'SET SESSION sql_log_bin = 0;'; mariadb-dump --no-defaults -h \"$1\" -P \"$2\" -u \"$3\" -p\"$4\" --single-transaction --gtid --master-data=1 --databases \"$5\"; } | mariadb --defaults-file=\"$0\"",
            ConfigPath(node), primary.Address, Port.ToString(CultureInfo.InvariantCulture), User, Password, Schema], ct);
        await ConnectSourcesAsync(node, [primary], ct);
    }

    // ---- convergence ---------------------------------------------------------------------------------

    /// <summary>Every table of the test schema on this node alone: {table: {first column: rest of the row}}.</summary>
    public async Task<Datum> ReadStateAsync(RunContext run, Node node, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(TimeSpan.FromSeconds(10));
        await using var conn = new MySqlConnection(ConnectionString(node, TimeSpan.FromSeconds(8)));
        await conn.OpenAsync(cts.Token);
        var tables = new List<string>();
        await using (var cmd = new MySqlCommand($"SELECT table_name FROM information_schema.tables WHERE table_schema = '{Schema}' ORDER BY table_name", conn))
        await using (var reader = await cmd.ExecuteReaderAsync(cts.Token))
            while (await reader.ReadAsync(cts.Token)) tables.Add(reader.GetString(0));
        var state = new List<KeyValuePair<Datum, Datum>>();
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cts.Token);
        foreach (var table in tables)
        {
            var rows = new List<KeyValuePair<Datum, Datum>>();
            await using var cmd = new MySqlCommand($"SELECT * FROM `{table}` ORDER BY 1", conn, tx);
            await using var reader = await cmd.ExecuteReaderAsync(cts.Token);
            while (await reader.ReadAsync(cts.Token))
            {
                var rest = Enumerable.Range(1, reader.FieldCount - 1).Select(i => reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture));
                rows.Add(new(Datum.Of(Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture)), Datum.Of(string.Join(' ', rest))));
            }
            state.Add(new(Datum.Of(table), Datum.Map(rows)));
        }
        return Datum.Map(state);
    }

    // ---- SQL helpers -----------------------------------------------------------------------------------

    private ICluster Cluster => _cluster ?? throw new InvalidOperationException("mysql is not set up");

    private string Dir(Node node) => $"{Cluster.Remote(node).Directory}/my";

    private string DataDir(Node node) => $"{Dir(node)}/data";

    private string ConfigPath(Node node) => $"{Dir(node)}/my.cnf";

    private string LogPath(Node node) => $"{Cluster.Remote(node).LogDirectory}/mariadb.log";

    /// <summary>Runs SQL as root through the node's own socket (the mariadb client on the node).</summary>
    private async Task AdminAsync(Node node, string sql, CancellationToken ct) =>
        await Cluster.Remote(node).ExecCheckedAsync(["mariadb", $"--defaults-file={ConfigPath(node)}", "-e", sql], ct);

    internal sealed record SlaveStatus(string Connection, string MasterHost, string IoRunning, string SqlRunning, string IoPos, string LastError, string SqlState = "");

    /// <summary>Every replication connection of the node (SHOW ALL SLAVES STATUS); null when the node cannot answer.</summary>
    private async Task<List<SlaveStatus>?> SlaveStatusAsync(Node node, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(ProbeTimeout);
        try
        {
            await using var conn = new MySqlConnection(ConnectionString(node, ProbeTimeout, 1));
            await conn.OpenAsync(cts.Token);
            await using var cmd = new MySqlCommand("SHOW ALL SLAVES STATUS", conn);
            await using var reader = await cmd.ExecuteReaderAsync(cts.Token);
            var list = new List<SlaveStatus>();
            while (await reader.ReadAsync(cts.Token))
            {
                string Col(string name) => reader[name] is DBNull or null ? "" : Convert.ToString(reader[name], CultureInfo.InvariantCulture) ?? "";
                list.Add(new SlaveStatus(Col("Connection_name"), Col("Master_Host"), Col("Slave_IO_Running"), Col("Slave_SQL_Running"), Col("Gtid_IO_Pos"),
                    Col("Last_IO_Error") + Col("Last_SQL_Error"), Col("Slave_SQL_Running_State")));
            }
            return list;
        }
        catch (Exception e) when (e is MySqlException or TimeoutException or IOException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return null;
        }
    }

    /// <summary>Runs a one-value query on a node with a short timeout; null when the node cannot answer.</summary>
    private async Task<object?> ScalarAsync(Node node, string sql, CancellationToken ct, TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout ?? ProbeTimeout);
        try
        {
            await using var conn = new MySqlConnection(ConnectionString(node, timeout ?? ProbeTimeout, 1));
            await conn.OpenAsync(cts.Token);
            await using var cmd = new MySqlCommand(sql, conn);
            var value = await cmd.ExecuteScalarAsync(cts.Token);
            return value is DBNull ? null : value;
        }
        catch (Exception e) when (e is MySqlException or TimeoutException or IOException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return null;
        }
    }

    private async Task ExecuteAsync(Node node, string sql, CancellationToken ct, TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(5));
        await using var conn = new MySqlConnection(ConnectionString(node, timeout ?? TimeSpan.FromSeconds(5), 2));
        await conn.OpenAsync(cts.Token);
        await using var cmd = new MySqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(cts.Token);
    }

    /// <summary>Waits until every node has applied everything <paramref name="source"/> has in its binlog (after DDL, before the workload).</summary>
    internal async Task WaitForCatchUpAsync(Node source, CancellationToken ct)
    {
        if (settings.Topology == MySqlSettings.Galera) return;
        if (await ScalarAsync(source, "SELECT @@gtid_binlog_pos", ct) is not string pos || pos.Length == 0) return;
        foreach (var n in Nodes.Where(n => n != source && IsRunning(n)))
            await ScalarAsync(n, $"SELECT MASTER_GTID_WAIT('{pos}', 5)", ct, TimeSpan.FromSeconds(6));
    }
}
