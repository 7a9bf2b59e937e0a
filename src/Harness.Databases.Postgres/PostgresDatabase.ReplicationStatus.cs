using Harness.Core.Control;
using Harness.Core.Databases;
using Harness.Core.Runs;
using Npgsql;

namespace Harness.Databases.Postgres;

/// <summary>
/// PostgreSQL's own view of its replication lag (<see cref="IHasReplicationStatus"/>), from pg_stat_replication on the
/// current primary (https://www.postgresql.org/docs/15/monitoring-stats.html#MONITORING-PG-STAT-REPLICATION-VIEW):
/// one row per connected WAL sender, i.e. per standby that streams, with write_lag, flush_lag and replay_lag and its
/// replay_lsn. A standby with no row (its WAL receiver stopped by the lag fault, or cut off) is asked itself:
/// pg_last_wal_replay_lsn() gives how far behind the primary's pg_current_wal_lsn() it has applied.
/// </summary>
public sealed partial class PostgresDatabase : IHasReplicationStatus
{
    /// <summary>The state of a standby that runs but has no row in pg_stat_replication (no WAL sender streams to it).</summary>
    public const string Detached = "detached";

    private static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(1);

    private const string PrimaryStatusSql = """
        WITH cur AS (SELECT pg_current_wal_lsn() AS lsn)
        SELECT cur.lsn::text, r.application_name, host(r.client_addr), r.state,
               (extract(epoch FROM r.write_lag) * 1000)::float8, (extract(epoch FROM r.flush_lag) * 1000)::float8,
               (extract(epoch FROM r.replay_lag) * 1000)::float8,
               pg_wal_lsn_diff(cur.lsn, r.replay_lsn)::bigint, r.replay_lsn::text
        FROM cur LEFT JOIN pg_stat_replication r ON true
        """;

    /// <summary>
    /// Every standby's lag as the primary reports it. PostgreSQL documents that the *_lag columns are NULL once the
    /// standby "has entirely caught up with the sending server and there is no more WAL activity" (after showing the
    /// last measured lag "for a short time"): a NULL lag with nothing left to replay (0 bytes behind) is reported
    /// as 0 ms, a NULL lag with WAL still to replay stays unknown (null). Throws when the primary cannot answer
    /// (down, paused, cut off, or not a primary any more): the runner skips that sample.
    /// </summary>
    public async Task<IReadOnlyList<ReplicaStatus>> ReplicationStatusAsync(RunContext run, CancellationToken ct)
    {
        var primary = _primary;
        if (primary is null || !IsRunning(primary)) throw new InvalidOperationException("no primary is running");
        if (IsPaused(primary)) throw new InvalidOperationException($"the primary {primary} is paused");
        var statuses = new List<ReplicaStatus>();
        string current;
        using (var cts = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            cts.CancelAfter(StatusTimeout);
            await using var conn = new NpgsqlConnection(ConnectionString(primary, StatusTimeout, 1));
            await conn.OpenAsync(cts.Token);
            await using var cmd = new NpgsqlCommand(PrimaryStatusSql, conn);
            await using var reader = await cmd.ExecuteReaderAsync(cts.Token);
            current = "";
            while (await reader.ReadAsync(cts.Token))
            {
                current = reader.GetString(0);
                if (reader.IsDBNull(1)) continue; // no WAL sender at all
                var node = NodeOf(reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
                if (node is null || node == primary) continue; // e.g. a pg_basebackup's WAL sender
                long? bytes = reader.IsDBNull(7) ? null : reader.GetInt64(7);
                statuses.Add(new ReplicaStatus(node, primary,
                    State: reader.IsDBNull(3) ? null : reader.GetString(3),
                    WriteLagMs: Lag(reader, 4, bytes),
                    FlushLagMs: Lag(reader, 5, bytes),
                    ReplayLagMs: Lag(reader, 6, bytes),
                    BytesBehind: bytes,
                    Position: reader.IsDBNull(8) ? null : reader.GetString(8),
                    SourcePosition: current));
            }
        }
        // Standbys that run but do not stream: how far behind they have applied, asked of each one itself.
        var reported = statuses.Select(s => s.Node).ToHashSet();
        var detached = Nodes.Where(n => n != primary && !reported.Contains(n) && IsRunning(n) && !IsPaused(n)).ToList();
        var answers = await Task.WhenAll(detached.Select(n => DetachedStatusAsync(n, primary, current, ct)));
        statuses.AddRange(answers.OfType<ReplicaStatus>());
        return [.. statuses.OrderBy(s => s.Node.Number)];
    }

    private static double? Lag(NpgsqlDataReader reader, int column, long? bytesBehind) =>
        !reader.IsDBNull(column) ? reader.GetDouble(column) : bytesBehind == 0 ? 0 : null;

    private Node? NodeOf(string applicationName, string? clientAddress) =>
        Nodes.FirstOrDefault(n => n.Name == applicationName) ?? Nodes.FirstOrDefault(n => clientAddress is not null && n.Address == clientAddress);

    private bool IsPaused(Node node)
    {
        lock (_lock) return _paused.Contains(node.Name);
    }

    /// <summary>A standby with no WAL sender: its replay position and its distance from the primary's; null when it
    /// does not answer within the bound.</summary>
    private async Task<ReplicaStatus?> DetachedStatusAsync(Node node, Node primary, string primaryLsn, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(StatusTimeout);
        try
        {
            await using var conn = new NpgsqlConnection(ConnectionString(node, StatusTimeout, 1));
            await conn.OpenAsync(cts.Token);
            await using var cmd = new NpgsqlCommand("SELECT pg_last_wal_replay_lsn()::text, pg_wal_lsn_diff(@p::pg_lsn, pg_last_wal_replay_lsn())::bigint", conn);
            cmd.Parameters.AddWithValue("p", primaryLsn);
            await using var reader = await cmd.ExecuteReaderAsync(cts.Token);
            if (!await reader.ReadAsync(cts.Token) || reader.IsDBNull(0)) return null; // not a standby (yet)
            return new ReplicaStatus(node, primary, State: Detached,
                BytesBehind: reader.IsDBNull(1) ? null : Math.Max(0, reader.GetInt64(1)),
                Position: reader.GetString(0), SourcePosition: primaryLsn);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return null;
        }
    }
}
