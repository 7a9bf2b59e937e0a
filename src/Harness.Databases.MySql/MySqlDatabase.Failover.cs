using System.Globalization;
using Harness.Core.Control;
using Harness.Core.Histories;
using Harness.Core.Runs;
using Microsoft.Extensions.Logging;

namespace Harness.Databases.MySql;

/// <summary>
/// The naive failover manager (<c>--failover promote</c>). Every 250 ms it checks the primary from the harness
/// host (connect + SELECT 1) and from the replicas (does any reachable replica's IO thread still run against it?
/// With slave_net_timeout = 2 s and a 0.5 s heartbeat, a cut-off primary shows up within about 2 s). When the
/// primary has been down or cut off for <see cref="MySqlSettings.FailoverAfter"/>, it promotes the reachable replica
/// that received the most GTIDs (after letting it apply its relay log), re-points the other replicas (GTID
/// slave_pos), and records a nemesis <c>promote</c> op. With <c>--fencing</c> the old primary is killed at once and
/// rebuilt as a replica; without it the old primary keeps running (split brain) until it is restarted.
/// </summary>
public sealed partial class MySqlDatabase
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);
    private CancellationTokenSource? _failoverCts;
    private Task? _failoverTask;
    private readonly HashSet<string> _fenced = [];
    private DateTime _promotedAt = DateTime.MinValue;
    private bool _warnedNoCandidate;

    /// <summary>How many promotions the manager made.</summary>
    public int Promotions { get; private set; }

    private void StartFailoverManager(RunContext run)
    {
        _failoverCts = new CancellationTokenSource();
        var ct = _failoverCts.Token;
        _failoverTask = Task.Run(() => FailoverLoopAsync(run, ct), CancellationToken.None);
    }

    private async Task StopFailoverManagerAsync()
    {
        if (_failoverCts is null || _failoverTask is null) return;
        await _failoverCts.CancelAsync();
        try { await _failoverTask; }
        catch (OperationCanceledException) { }
        _failoverTask = null;
    }

    private async Task FailoverLoopAsync(RunContext run, CancellationToken ct)
    {
        DateTime? downSince = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(250, ct);
                var primary = _primary;
                if (primary is null) continue;
                await RepointReplicasAsync(run, primary, ct);
                if (DateTime.UtcNow - _promotedAt < settings.FailoverAfter * 2 || await PrimaryHealthyAsync(primary, ct))
                {
                    downSince = null;
                    continue;
                }
                downSince ??= DateTime.UtcNow;
                if (DateTime.UtcNow - downSince < settings.FailoverAfter) continue;
                if (await TryPromoteAsync(run, primary, ct)) downSince = null;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                run.Logger.LogWarning("mysql failover manager: {Error}", e.Message);
            }
        }
    }

    /// <summary>Healthy = the host can query the primary, and some reachable replica (if any) has its IO thread running against it.</summary>
    private async Task<bool> PrimaryHealthyAsync(Node primary, CancellationToken ct)
    {
        if (await ScalarAsync(primary, "SELECT 1", ct) is null) return false;
        var replicasReachable = 0;
        // a replica the lag fault holds says nothing about the primary (its threads are stopped on purpose)
        foreach (var n in Nodes.Where(n => n != primary && IsRunning(n) && !IsHeld(n)))
        {
            var status = await SlaveStatusAsync(n, ct);
            var link = status?.FirstOrDefault(s => s.MasterHost == primary.Address);
            if (link is null) continue; // unreachable, or not (yet) pointed at this primary: says nothing about it
            replicasReachable++;
            if (link.IoRunning == "Yes") return true;
        }
        return replicasReachable == 0;
    }

    /// <summary>The sequence number of domain 0 in a GTID position such as "0-1-42" (-1 when absent).</summary>
    internal static long GtidSequence(string position)
    {
        foreach (var gtid in position.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = gtid.Split('-');
            if (parts.Length == 3 && parts[0] == "0" && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var seq)) return seq;
        }
        return -1;
    }

    private async Task<bool> TryPromoteAsync(RunContext run, Node old, CancellationToken ct)
    {
        await _topology.WaitAsync(ct);
        try
        {
            if (_primary != old) return true;
            // Every reachable replica stops receiving and applies what it received (a replica the lag fault holds too:
            // its SQL thread is started again, its IO thread stays stopped); then the one that applied the most is
            // promoted. Comparing Gtid_IO_Pos instead misleads: it advances at a transaction's first event, so a replica
            // whose IO thread stopped mid-transaction looks as far as one that received (and, with semi-sync,
            // acknowledged) it whole. With --lag-ms the SQL thread applies each event MASTER_DELAY late: the wait is longer.
            var candidates = new List<Node>();
            foreach (var n in Nodes.Where(n => n != old && IsRunning(n)))
            {
                var status = await SlaveStatusAsync(n, ct);
                if (status is null || status.Count == 0) continue;
                try
                {
                    await ExecuteAsync(n, "STOP SLAVE IO_THREAD; START SLAVE SQL_THREAD", ct, TimeSpan.FromSeconds(2));
                    candidates.Add(n);
                }
                catch (Exception e) when (e is MySqlConnector.MySqlException or TimeoutException or IOException || (e is OperationCanceledException && !ct.IsCancellationRequested))
                {
                    if (run.Logger.IsEnabled(LogLevel.Information)) run.Logger.LogInformation("mysql failover: {Node} is no candidate: {Error}", n, e.Message);
                }
            }
            var drainUntil = DateTime.UtcNow + TimeSpan.FromSeconds(5 + settings.LagMs / 1000);
            Node? best = null;
            var bestPos = "";
            long bestSeq = -2;
            foreach (var n in candidates)
            {
                while (DateTime.UtcNow < drainUntil)
                {
                    var status = await SlaveStatusAsync(n, ct);
                    if (status is null || status.Count == 0 || status[0].SqlRunning != "Yes" || status[0].SqlState.StartsWith("Slave has read all relay log", StringComparison.Ordinal)) break;
                    await Task.Delay(20, ct);
                }
                if (await ScalarAsync(n, "SELECT @@gtid_slave_pos", ct) is not string pos) continue;
                var seq = GtidSequence(pos);
                if (seq > bestSeq) (best, bestPos, bestSeq) = (n, pos, seq);
            }
            if (best is null)
            {
                if (!_warnedNoCandidate) run.Logger.LogWarning("mysql failover: primary {Old} is down but no replica is reachable", old);
                _warnedNoCandidate = true;
                return false;
            }
            _warnedNoCandidate = false;
            lock (_lock) _held.Remove(best.Name);
            await ExecuteAsync(best, "STOP SLAVE; RESET SLAVE ALL; SET GLOBAL read_only = OFF", ct);
            await EnableSemiSyncPrimaryAsync(best, ct);
            lock (_lock) _deposed.Add(old.Name);
            _primary = best;
            _promotedAt = DateTime.UtcNow;
            Promotions++;
            var fenced = false;
            if (settings.Fencing)
            {
                await KillServerAsync(old, ct);
                lock (_lock) _fenced.Add(old.Name);
                fenced = true;
            }
            var invoke = run.Recorder.Record(Operation.Invoke(Operation.NemesisProcess, "promote", Datum.Map([new(Datum.Of("from"), Datum.Of(old.Name))])));
            run.Recorder.Record(invoke with
            {
                Type = OpType.Info,
                Index = -1,
                TimeNanos = -1,
                Value = Datum.Map([
                    new(Datum.Of("from"), Datum.Of(old.Name)),
                    new(Datum.Of("to"), Datum.Of(best.Name)),
                    new(Datum.Of("nodes"), Datum.Vec(Datum.Of(best.Name))),
                    new(Datum.Of("gtid"), Datum.Of(bestPos)),
                    new(Datum.Of("fenced"), Datum.Of(fenced)),
                ]),
            });
            run.Logger.LogWarning("mysql failover: promoted {New} (gtid {Gtid}) to replace {Old}{Fenced}", best, bestPos, old, fenced ? "; old primary fenced (killed)" : "");
            return true;
        }
        finally
        {
            _topology.Release();
        }
    }

    /// <summary>Points every reachable replica that follows another host at the current primary, and rebuilds fenced old primaries.</summary>
    private async Task RepointReplicasAsync(RunContext run, Node primary, CancellationToken ct)
    {
        foreach (var n in Nodes.Where(n => n != primary))
        {
            bool fenced, deposed;
            lock (_lock)
            {
                fenced = _fenced.Contains(n.Name);
                deposed = _deposed.Contains(n.Name);
            }
            if (fenced && !IsRunning(n))
            {
                await _topology.WaitAsync(ct);
                try
                {
                    if (_primary != primary || IsRunning(n)) continue;
                    await RebuildAsReplicaAsync(n, primary, ct);
                    lock (_lock)
                    {
                        _fenced.Remove(n.Name);
                        _deposed.Remove(n.Name);
                    }
                    if (run.Logger.IsEnabled(LogLevel.Information)) run.Logger.LogInformation("mysql failover: fenced {Node} rebuilt as a replica of {Primary}", n, primary);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    if (run.Logger.IsEnabled(LogLevel.Information)) run.Logger.LogInformation("mysql failover: cannot rebuild {Node} yet: {Error}", n, e.Message);
                }
                finally { _topology.Release(); }
                continue;
            }
            if (deposed || !IsRunning(n) || IsHeld(n)) continue; // a held replica is re-pointed when released
            var status = await SlaveStatusAsync(n, ct);
            if (status is null || status.Count == 0 || status[0].MasterHost == primary.Address) continue;
            try
            {
                await ExecuteAsync(n, $"STOP SLAVE; CHANGE MASTER TO {MasterOptions(primary)}; START SLAVE", ct);
                if (run.Logger.IsEnabled(LogLevel.Information)) run.Logger.LogInformation("mysql failover: {Node} now replicates from {Primary}", n, primary);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (run.Logger.IsEnabled(LogLevel.Information)) run.Logger.LogInformation("mysql failover: cannot re-point {Node} yet: {Error}", n, e.Message);
            }
        }
    }
}
