using Harness.Core.Control;
using Harness.Core.Databases;
using Microsoft.Extensions.Logging;
using Npgsql;
using Harness.Core.Runs;

namespace Harness.Databases.Postgres;

/// <summary>
/// The naive failover manager (<c>--failover promote</c>). Every 250 ms it checks the primary from the
/// harness host (connect + SELECT 1) and from the replicas (is any of them still receiving WAL from it?).
/// When the primary has been down or cut off from every reachable replica for <see cref="PostgresSettings.FailoverAfter"/>,
/// it promotes the reachable replica with the most WAL (max of receive and replay LSN), points the other
/// replicas and the clients at it, and records a nemesis <c>promote</c> op. With <c>--fencing</c> the old
/// primary is killed at once and rebuilt as a standby; without it the old primary keeps running (split brain).
/// </summary>
public sealed partial class PostgresDatabase
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);
    private FailoverLoop? _failover;
    /// <summary>Old primaries killed by fencing, to rebuild as standbys (by the manager, not the nemesis).</summary>
    private readonly HashSet<string> _fenced = [];
    private bool _warnedNoCandidate;

    /// <summary>How many promotions the manager made (for tests and the log).</summary>
    public int Promotions => _failover?.Promotions ?? 0;

    private void StartFailoverManager(RunContext run)
    {
        _failover = new FailoverLoop("postgres", settings.FailoverAfter, new FailoverLoop.Steps(() => _primary, RepointReplicasAsync, PrimaryHealthyAsync, TryPromoteAsync));
        _failover.Start(run);
    }

    private async Task StopFailoverManagerAsync()
    {
        if (_failover is not null) await _failover.StopAsync();
    }

    /// <summary>Healthy = the host can query the primary, and some reachable replica (if any) still hears from it.</summary>
    private async Task<bool> PrimaryHealthyAsync(Node primary, CancellationToken ct)
    {
        if (await ScalarAsync(primary, "SELECT 1", ct) is null) return false;
        var replicasReachable = 0;
        foreach (var n in Nodes.Where(n => n != primary && IsRunning(n)))
        {
            // NULL (ignored): a replica not (yet) pointed at this primary says nothing about it.
            var hearing = await ScalarAsync(n,
                $"SELECT CASE WHEN current_setting('primary_conninfo') LIKE '%host={primary.Address} %' THEN " +
                "coalesce((SELECT status = 'streaming' AND last_msg_receipt_time > clock_timestamp() - interval '2500 ms' " +
                $"AND sender_host = '{primary.Address}' FROM pg_stat_wal_receiver), false) END", ct);
            if (hearing is not bool hears) continue;
            replicasReachable++;
            if (hears) return true;
        }
        return replicasReachable == 0;
    }

    private async Task<bool> TryPromoteAsync(RunContext run, Node old, CancellationToken ct)
    {
        await _topology.WaitAsync(ct);
        try
        {
            if (_primary != old) return true;
            Node? best = null;
            decimal bestLsn = -1;
            foreach (var n in Nodes.Where(n => n != old && IsRunning(n)))
            {
                var lsn = await ScalarAsync(n,
                    "SELECT CASE WHEN pg_is_in_recovery() THEN greatest(coalesce(pg_last_wal_receive_lsn(), '0/0'), coalesce(pg_last_wal_replay_lsn(), '0/0')) - '0/0'::pg_lsn ELSE -1 END", ct);
                if (lsn is not decimal value || value < 0) continue;
                if (value > bestLsn) (best, bestLsn) = (n, value);
            }
            if (best is null)
            {
                if (!_warnedNoCandidate) run.Logger.LogWarning("postgres failover: primary {Old} is down but no replica is reachable", old);
                _warnedNoCandidate = true;
                return false;
            }
            _warnedNoCandidate = false;
            var promoted = await ScalarAsync(best, "SELECT pg_promote(true, 10)", ct, TimeSpan.FromSeconds(12));
            if (promoted is not true)
            {
                run.Logger.LogWarning("postgres failover: pg_promote on {Node} failed", best);
                return false;
            }
            lock (_lock) _deposed.Add(old.Name);
            _primary = best;
            var fenced = false;
            if (settings.Fencing)
            {
                await KillServerAsync(old, ct);
                lock (_lock) _fenced.Add(old.Name);
                fenced = true;
            }
            FailoverLoop.RecordPromotion(run, old, best, fenced);
            run.Logger.LogWarning("postgres failover: promoted {New} (lsn {Lsn}) to replace {Old}{Fenced}", best, bestLsn, old, fenced ? "; old primary fenced (killed)" : "");
            return true;
        }
        finally
        {
            _topology.Release();
        }
    }

    /// <summary>Points every reachable replica whose primary_conninfo names another host at the current
    /// primary (reload: PostgreSQL 13+ restarts the WAL receiver), and rebuilds fenced old primaries.</summary>
    private async Task RepointReplicasAsync(RunContext run, Node primary, CancellationToken ct)
    {
        foreach (var n in Nodes.Where(n => n != primary))
        {
            bool fenced;
            lock (_lock) fenced = _fenced.Contains(n.Name);
            if (fenced && !IsRunning(n))
            {
                await _topology.WaitAsync(ct);
                try
                {
                    if (_primary != primary || IsRunning(n)) continue;
                    lock (_lock) _deposed.Remove(n.Name);
                    await CloneAsync(n, primary, ct);
                    lock (_lock) _fenced.Remove(n.Name);
                    if (run.Logger.IsEnabled(LogLevel.Information)) run.Logger.LogInformation("postgres failover: fenced {Node} rebuilt as a standby of {Primary}", n, primary);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    lock (_lock) _deposed.Add(n.Name);
                    if (run.Logger.IsEnabled(LogLevel.Information)) run.Logger.LogInformation("postgres failover: cannot rebuild {Node} yet: {Error}", n, e.Message);
                }
                finally { _topology.Release(); }
                continue;
            }
            bool deposed;
            lock (_lock) deposed = _deposed.Contains(n.Name);
            if (deposed || !IsRunning(n) || IsHeld(n)) continue;
            var conninfo = await ScalarAsync(n, "SELECT CASE WHEN pg_is_in_recovery() THEN current_setting('primary_conninfo') ELSE NULL END", ct);
            if (conninfo is not string info || info.Contains($"host={primary.Address} ", StringComparison.Ordinal)) continue;
            await ExecuteAsync(n, $"ALTER SYSTEM SET primary_conninfo = '{PrimaryConninfo(n, primary)}'", ct);
            await ExecuteAsync(n, "SELECT pg_reload_conf()", ct);
            if (run.Logger.IsEnabled(LogLevel.Information)) run.Logger.LogInformation("postgres failover: {Node} now follows {Primary}", n, primary);
        }
    }

    /// <summary>Runs a one-value query on a node with a short timeout; null when the node cannot answer.</summary>
    private async Task<object?> ScalarAsync(Node node, string sql, CancellationToken ct, TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout ?? ProbeTimeout);
        try
        {
            await using var conn = new NpgsqlConnection(ConnectionString(node, timeout ?? ProbeTimeout, 1));
            await conn.OpenAsync(cts.Token);
            await using var cmd = new NpgsqlCommand(sql, conn);
            var value = await cmd.ExecuteScalarAsync(cts.Token);
            return value is DBNull ? null : value;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return null;
        }
    }

    private async Task ExecuteAsync(Node node, string sql, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(TimeSpan.FromSeconds(2));
        await using var conn = new NpgsqlConnection(ConnectionString(node, TimeSpan.FromSeconds(2), 1));
        await conn.OpenAsync(cts.Token);
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(cts.Token);
    }
}
