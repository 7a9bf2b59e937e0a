using System.Globalization;
using Harness.Core.Control;
using Harness.Core.Databases;
using Harness.Core.Runs;
using Microsoft.Extensions.Logging;
using MySqlConnector;

namespace Harness.Databases.MySql;

/// <summary>
/// The lag fault (<c>--nemesis lag</c>) and the database's own view of its replication lag, for GTID replication
/// (primary-replica, async or semi-sync, and multi-primary). Galera has neither: the suite refuses the lag fault there.
/// <para>Alone, the fault holds a replica's SQL thread (<c>STOP SLAVE SQL_THREAD</c>,
/// https://mariadb.com/kb/en/stop-replica/): its IO thread keeps receiving into the relay log (and, with semi-sync,
/// acknowledging), and its readers see the data as of the hold. With another fault (which then happens while every
/// replica is held) it stops the IO thread (<c>STOP SLAVE IO_THREAD</c>), as PostgreSQL's held WAL receiver: the replica
/// receives nothing more and applies what it has; a replica that has <i>received</i> a transaction loses nothing when
/// promoted (the failover manager waits until its relay log is applied),
/// so only a replica that does not receive shows what asynchronous replication risks; with semi-sync the primary's
/// commits then wait for an acknowledgement (rpl_semi_sync_master_wait_no_slave is ON by default), up to the timeout.</para>
/// </summary>
public sealed partial class MySqlDatabase
{
    /// <summary>Replicas the lag fault holds now; the failover manager neither judges the primary by them nor re-points them.</summary>
    private readonly HashSet<string> _held = [];

    private bool IsHeld(Node node)
    {
        lock (_lock) return _held.Contains(node.Name);
    }

    /// <summary>The nodes that replicate from another node now: every running node but the primary and a deposed old
    /// primary not yet rebuilt (multi-primary: every running node; galera: none).</summary>
    public Task<IReadOnlyList<Node>> ReplicasAsync(RunContext run, CancellationToken ct)
    {
        if (settings.Topology == MySqlSettings.Galera) return Task.FromResult<IReadOnlyList<Node>>([]);
        HashSet<string> deposed;
        lock (_lock) deposed = [.. _deposed];
        return Task.FromResult<IReadOnlyList<Node>>([.. Nodes.Where(n => (settings.EveryNodeWrites || (n != _primary && !deposed.Contains(n.Name))) && IsRunning(n))]);
    }

    /// <summary>The replication connections of a node, for STOP/START SLAVE: the unnamed one, or one per other primary.</summary>
    private IEnumerable<string> Connections(Node node) =>
        settings.Topology == MySqlSettings.MultiPrimary ? Nodes.Where(m => m != node).Select(m => $"'{m.Name}' ") : [""];

    /// <summary>Stops the SQL thread (lag alone) or the IO thread (lag with another fault) of these replicas. Idempotent
    /// (STOP SLAVE on a stopped thread is a note, not an error). A replica that cannot be reached now (paused, down) is
    /// still marked held, so the release tries it again.
    /// <para>With another fault only the IO thread stops, never both: the SQL thread goes on applying what was received,
    /// as PostgreSQL's startup process replays what its held WAL receiver got. Stopping both lost acknowledged writes
    /// the database itself had kept: with GTID replication, a SQL thread started again (at the promotion) after both
    /// threads had stopped did not apply the transaction left in the relay log (read position ahead of the executed
    /// one in SHOW SLAVE STATUS, and staying so), and the promoted replica lacked a semi-sync-acknowledged add (4 of 44
    /// semi-sync lag + kill-primary runs under load). orchestrator avoids restarting replication threads on MariaDB with
    /// GTID for a like reason: it discards relay logs (https://github.com/openark/orchestrator/pull/1264).</para></summary>
    public async Task HoldAsync(RunContext run, IReadOnlyList<Node> replicas, CancellationToken ct)
    {
        await _topology.WaitAsync(ct);
        try
        {
            foreach (var n in replicas)
            {
                if (n == _primary && !settings.EveryNodeWrites) continue;
                lock (_lock) _held.Add(n.Name);
                var thread = settings.LagHoldsReceiving ? " IO_THREAD" : " SQL_THREAD";
                await TryExecuteAsync(run, n, string.Concat(Connections(n).Select(c => $"STOP SLAVE {c}{thread};")), "hold", ct);
            }
        }
        finally { _topology.Release(); }
    }

    /// <summary>Starts replication again on every held replica, pointed at the current primary (a promotion may have
    /// happened meanwhile); it then applies its relay log and catches up. A replica that cannot be reached stays held
    /// for the next release (the final heal, or teardown); one that is down is released at once, since a restarted
    /// replica starts its threads itself.</summary>
    public async Task ReleaseAsync(RunContext run, CancellationToken ct)
    {
        await _topology.WaitAsync(ct);
        try
        {
            List<Node> held;
            lock (_lock) held = [.. Nodes.Where(n => _held.Contains(n.Name))];
            foreach (var n in held)
            {
                var primary = _primary;
                bool deposed;
                lock (_lock) deposed = _deposed.Contains(n.Name);
                var released = !IsRunning(n) || deposed || (n == primary && !settings.EveryNodeWrites);
                if (!released)
                {
                    var sql = string.Concat(Connections(n).Select(c => $"START SLAVE {c.TrimEnd()};"));
                    if (!settings.EveryNodeWrites && primary is not null)
                    {
                        var status = await SlaveStatusAsync(n, ct);
                        if (status is { Count: > 0 } && status[0].MasterHost != primary.Address)
                            sql = $"STOP SLAVE; CHANGE MASTER TO {MasterOptions(primary)}; START SLAVE;";
                    }
                    released = await TryExecuteAsync(run, n, sql, "release", ct);
                }
                if (released) lock (_lock) _held.Remove(n.Name);
            }
        }
        finally { _topology.Release(); }
    }

    /// <summary>Runs a replication statement on a node; false (logged) when the node cannot be reached now.</summary>
    private async Task<bool> TryExecuteAsync(RunContext run, Node node, string sql, string what, CancellationToken ct)
    {
        try
        {
            await ExecuteAsync(node, sql, ct, TimeSpan.FromSeconds(2));
            return true;
        }
        catch (Exception e) when (e is MySqlException or TimeoutException or IOException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            if (run.Logger.IsEnabled(LogLevel.Information)) run.Logger.LogInformation("mysql lag: cannot {What} {Node} now: {Error}", what, node, e.Message);
            return false;
        }
    }

    // ---- the database's own view of its lag ----------------------------------------------------------

    /// <summary>
    /// One sample per replication connection of every running replica, from SHOW ALL SLAVES STATUS on the replica
    /// (https://mariadb.com/kb/en/show-replica-status/) and SHOW MASTER STATUS + @@gtid_current_pos on its source:
    /// <see cref="ReplicaStatus.ReplayLagMs"/> is Seconds_Behind_Master × 1000 (whole seconds, and NULL, i.e. absent,
    /// while the SQL thread is stopped, as during the lag fault); <see cref="ReplicaStatus.BytesBehind"/> is the source's
    /// binlog position minus Exec_Master_Log_Pos when both are in the same binlog file (when the source cannot be asked:
    /// Read_Master_Log_Pos - Exec_Master_Log_Pos, what was received but not applied, a lower bound); Position is the
    /// replica's @@gtid_slave_pos (applied), SourcePosition the source's @@gtid_current_pos; State the two threads,
    /// e.g. "io=Yes sql=No". Each node gets about a second; a node that does not answer is left out; never throws.
    /// </summary>
    public async Task<IReadOnlyList<ReplicaStatus>> ReplicationStatusAsync(RunContext run, CancellationToken ct)
    {
        if (_cluster is null || settings.Topology == MySqlSettings.Galera) return [];
        var replicas = Nodes.Where(n => (settings.EveryNodeWrites || n != _primary) && IsRunning(n)).ToList();
        var sources = Nodes.Where(n => IsRunning(n) && (settings.EveryNodeWrites || n == _primary)).ToDictionary(n => n.Address, n => SourceStatusAsync(n, ct));
        var samples = await Task.WhenAll(replicas.Select(n => ReplicaStatusAsync(n, sources, ct)));
        return [.. samples.SelectMany(s => s)];
    }

    private sealed record SourceStatus(string File, long Position, string Gtid);

    private async Task<SourceStatus?> SourceStatusAsync(Node node, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(ProbeTimeout);
        try
        {
            await using var conn = new MySqlConnection(ConnectionString(node, ProbeTimeout, 1));
            await conn.OpenAsync(cts.Token);
            await using var cmd = new MySqlCommand("SHOW MASTER STATUS; SELECT @@gtid_current_pos", conn);
            await using var reader = await cmd.ExecuteReaderAsync(cts.Token);
            string file = "";
            long position = -1;
            if (await reader.ReadAsync(cts.Token))
            {
                file = Convert.ToString(reader["File"], CultureInfo.InvariantCulture) ?? "";
                position = Convert.ToInt64(reader["Position"], CultureInfo.InvariantCulture);
            }
            await reader.NextResultAsync(cts.Token);
            var gtid = await reader.ReadAsync(cts.Token) && !reader.IsDBNull(0) ? reader.GetString(0) : "";
            return new SourceStatus(file, position, gtid);
        }
        catch (Exception e) when (e is MySqlException or TimeoutException or IOException or InvalidCastException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return null;
        }
    }

    private async Task<IReadOnlyList<ReplicaStatus>> ReplicaStatusAsync(Node node, Dictionary<string, Task<SourceStatus?>> sources, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(ProbeTimeout);
        try
        {
            await using var conn = new MySqlConnection(ConnectionString(node, ProbeTimeout, 1));
            await conn.OpenAsync(cts.Token);
            var rows = new List<(string Host, string Io, string Sql, long? Behind, string MasterFile, long Read, string ExecFile, long Exec)>();
            await using (var cmd = new MySqlCommand("SHOW ALL SLAVES STATUS", conn))
            await using (var reader = await cmd.ExecuteReaderAsync(cts.Token))
            {
                while (await reader.ReadAsync(cts.Token))
                {
                    string Col(string name) => reader[name] is DBNull or null ? "" : Convert.ToString(reader[name], CultureInfo.InvariantCulture) ?? "";
                    long? Num(string name) => long.TryParse(Col(name), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
                    rows.Add((Col("Master_Host"), Col("Slave_IO_Running"), Col("Slave_SQL_Running"), Num("Seconds_Behind_Master"),
                        Col("Master_Log_File"), Num("Read_Master_Log_Pos") ?? -1, Col("Relay_Master_Log_File"), Num("Exec_Master_Log_Pos") ?? -1));
                }
            }
            string applied;
            await using (var cmd = new MySqlCommand("SELECT @@gtid_slave_pos", conn))
                applied = Convert.ToString(await cmd.ExecuteScalarAsync(cts.Token), CultureInfo.InvariantCulture) ?? "";
            var samples = new List<ReplicaStatus>();
            foreach (var row in rows)
            {
                var source = Nodes.FirstOrDefault(m => m.Address == row.Host);
                var src = sources.TryGetValue(row.Host, out var task) ? await task : null;
                long? bytes = src is not null && src.Position >= 0 && src.File == row.ExecFile && row.Exec >= 0 ? Math.Max(0, src.Position - row.Exec)
                    : src is null && row.MasterFile == row.ExecFile && row.Read >= 0 && row.Exec >= 0 ? Math.Max(0, row.Read - row.Exec)
                    : null;
                samples.Add(new ReplicaStatus(node, source, $"io={row.Io} sql={row.Sql}",
                    ReplayLagMs: row.Behind * 1000.0, BytesBehind: bytes, Position: applied, SourcePosition: src?.Gtid));
            }
            return samples;
        }
        catch (Exception e) when (e is MySqlException or TimeoutException or IOException or InvalidCastException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return [];
        }
    }
}
