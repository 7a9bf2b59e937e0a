using Harness.Cli;
using Harness.Core.Histories;
using Harness.Core.Running;
using Harness.Report;
using Harness.Testing;
using Xunit.Abstractions;

namespace Harness.Integration.Tests;

/// <summary>
/// PostgreSQL's own view of its replication lag, sampled by the runner into lag.jsonl, on a real cluster under the lag
/// fault. Expected from PostgreSQL's documentation: pg_stat_replication has "one row per WAL sender process, showing
/// statistics about replication to that sender's connected standby server", with replay_lsn, the "last write-ahead
/// log location replayed into the database on this standby server", and replay_lag
/// (https://www.postgresql.org/docs/15/monitoring-stats.html#MONITORING-PG-STAT-REPLICATION-VIEW); an empty
/// primary_conninfo stops the WAL receiver (https://www.postgresql.org/docs/15/runtime-config-replication.html#GUC-PRIMARY-CONNINFO),
/// so a held standby has no row and its pg_last_wal_replay_lsn() stays where it was while the primary's
/// pg_current_wal_lsn() moves on (https://www.postgresql.org/docs/15/functions-admin.html#FUNCTIONS-RECOVERY-CONTROL):
/// bytes behind grow; once it streams again it replays what it missed and the distance falls back. The steady
/// apply delay (recovery_min_apply_delay, 100 ms here: --lag-ms auto) is part of replay_lag, "time elapsed between
/// flushing recent WAL locally and receiving notification that this standby server has ... applied it".
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PostgresReplicationStatusTests(ITestOutputHelper output)
{
    [IntegrationFact("postgres", "iptables")]
    public async Task Should_Report_Bytes_Behind_That_Rise_During_A_Lag_Window_And_Fall_After_It_When_Replicas_Are_Held()
    {
        await Capabilities.RequireAsync("ip", "iptables", "postgres");
        var results = Directory.CreateTempSubdirectory("harness-lagstat-").FullName;
        try
        {
            // Given async replication, reads from replicas and the lag fault (standbys held for 2 s at a time)
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            var exit = await CliApp.RunAsync(["test", "postgres", "--workload", "session", "--replication", "async", "--read-from", "replica",
                "--nemesis", "lag", "--nemesis-interval", "2", "--time-limit", "6", "--recovery-time", "2", "--seed", "700",
                "--results", results, "--plain"], stdout, stderr);
            var run = Path.GetDirectoryName(Directory.EnumerateFiles(results, "results.json", SearchOption.AllDirectories)
                .Single(f => !f.Contains("/latest/", StringComparison.Ordinal)))!;
            Assert.True(exit is 0 or 1, $"{stdout}\n{stderr}");

            // When the run's lag.jsonl and history are read
            var lag = LagLog.ReadRun(run);
            Assert.NotNull(lag);
            var samples = lag.Samples;
            var windows = FaultWindows.From(HistoryJson.ReadFile(Path.Combine(run, ResultStore.HistoryFile))).Where(w => w.Kind == "lag" && !w.Open).ToList();
            output.WriteLine($"{samples.Length} samples; lag windows: {string.Join(", ", windows.Select(w => $"{w.Label} {w.StartNanos / 1e9:0.00}-{w.EndNanos / 1e9:0.00} s"))}");

            // Then both standbys were sampled, streaming with a replay lag that includes the 100 ms apply delay
            Assert.Empty(lag.Warnings);
            Assert.Equal(["n2", "n3"], samples.Select(s => s.Node).Distinct().Order());
            foreach (var node in new[] { "n2", "n3" })
            {
                var replay = samples.Where(s => s.Node == node && s.State == "streaming" && s.ReplayLagMs is not null).Select(s => s.ReplayLagMs!.Value).ToList();
                Assert.True(replay.Count >= 5, $"{node}: {replay.Count} streaming samples with a replay lag");
                Assert.InRange(replay.Max(), 90, 2000);
            }

            // And for each standby held in a lag window: it is detached, its bytes behind grow during the window and
            // fall back after it (every window of at least 1.5 s that the run sampled for a while after; the last one
            // ends with the final heal, then 2 s of recovery are sampled)
            var last = samples.Max(s => s.TimeNanos);
            var held = windows.Where(w => w.EndNanos - w.StartNanos >= 1_500_000_000 && w.EndNanos + 750_000_000 <= last)
                .SelectMany(w => w.Nodes.Select(n => (Window: w, Node: n))).ToList();
            Assert.NotEmpty(held);
            foreach (var (w, node) in held)
            {
                var mine = samples.Where(s => s.Node == node && s.BytesBehind is not null).ToList();
                var during = mine.Where(s => s.TimeNanos >= w.StartNanos + 500_000_000 && s.TimeNanos <= w.EndNanos).ToList();
                var after = mine.Where(s => s.TimeNanos >= w.EndNanos + 500_000_000 && s.TimeNanos <= w.EndNanos + 2_000_000_000).ToList();
                var peak = during.Max(s => s.BytesBehind!.Value);
                output.WriteLine($"{node} held {w.StartNanos / 1e9:0.00}-{w.EndNanos / 1e9:0.00} s: bytes behind during {string.Join(" ", during.Select(s => s.BytesBehind))}; 0.5-2 s after {string.Join(" ", after.Select(s => s.BytesBehind))}");
                Assert.Contains(during, s => s.State == PostgresDetached);
                Assert.True(peak > 8192, $"{node}: at most {peak} bytes behind while held");
                // (the peak, not the last sample: the release starts at the window's end, so a sample near it may catch up)
                Assert.True(peak > during[0].BytesBehind, $"{node}: bytes behind did not grow while held");
                Assert.NotEmpty(after);
                // (the median: with the 100 ms apply delay a streaming standby is still a burst of WAL behind now and then)
                var median = after.Select(s => s.BytesBehind!.Value).Order().ElementAt(after.Count / 2);
                Assert.True(median < peak / 4, $"{node}: still {median} bytes behind (median) after the window (peak {peak})");
                Assert.All(after, s => Assert.Equal("streaming", s.State));
            }
        }
        finally
        {
            Directory.Delete(results, recursive: true);
        }
    }

    [IntegrationFact("postgres", "iptables")]
    public async Task Should_Report_Zero_Lag_When_Idle_Standbys_Caught_Up_And_Detached_Bytes_Behind_When_One_Is_Held()
    {
        // Given a primary with two streaming standbys that have replayed a write, and no WAL activity since
        var pg = await PostgresTestCluster.StartAsync();
        var ct = CancellationToken.None;
        try
        {
            await pg.QueryAsync(pg.N1, "CREATE TABLE lagstat (id int)");
            // PostgreSQL: once a standby "has entirely caught up ... and there is no more WAL activity", the lag
            // columns show the last measured lag "for a short time" and then NULL
            await PostgresTestCluster.EventuallyAsync(async () => 2L.Equals(await pg.QueryAsync(pg.N1,
                "SELECT count(*) FROM pg_stat_replication WHERE replay_lag IS NULL AND replay_lsn = pg_current_wal_lsn()")), "both lag columns NULL");

            // When the harness asks for the replication status
            var idle = await pg.Db.ReplicationStatusAsync(pg.Run, ct);

            // Then both standbys are streaming from n1, 0 bytes behind, and the NULL lag is read as 0 ms (caught up)
            output.WriteLine(string.Join("\n", idle));
            Assert.Equal([pg.N2, pg.N3], idle.Select(s => s.Node));
            Assert.All(idle, s =>
            {
                Assert.Equal(pg.N1, s.Source);
                Assert.Equal("streaming", s.State);
                Assert.Equal(0, s.BytesBehind);
                Assert.Equal(0, s.ReplayLagMs);
                Assert.Equal(s.SourcePosition, s.Position);
            });

            // When n2's WAL receiver is held (the lag fault) and the primary writes
            await pg.Db.HoldAsync(pg.Run, [pg.N2], ct);
            await PostgresTestCluster.EventuallyAsync(async () => 1L.Equals(await pg.QueryAsync(pg.N1, "SELECT count(*) FROM pg_stat_replication")), "n2's WAL sender gone");
            await pg.QueryAsync(pg.N1, "INSERT INTO lagstat SELECT generate_series(1, 10000)");
            var held = await pg.Db.ReplicationStatusAsync(pg.Run, ct);
            output.WriteLine(string.Join("\n", held));

            // Then n2 is detached, asked itself, and behind by at least the rows' WAL (10000 rows: > 100 KiB); n3 streams
            var n2 = held.Single(s => s.Node == pg.N2);
            Assert.Equal(PostgresDetached, n2.State);
            Assert.True(n2.BytesBehind > 100_000, $"n2 {n2.BytesBehind} bytes behind");
            Assert.Null(n2.ReplayLagMs);
            Assert.Equal("streaming", held.Single(s => s.Node == pg.N3).State);

            // And once released it streams again and catches up
            await pg.Db.ReleaseAsync(pg.Run, ct);
            await PostgresTestCluster.EventuallyAsync(async () =>
                (await pg.Db.ReplicationStatusAsync(pg.Run, ct)).Single(s => s.Node == pg.N2) is { State: "streaming", BytesBehind: 0 }, "n2 caught up");
        }
        finally
        {
            await pg.DisposeAsync();
        }
    }

    private const string PostgresDetached = Harness.Databases.Postgres.PostgresDatabase.Detached;
}
