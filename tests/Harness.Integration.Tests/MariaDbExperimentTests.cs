using System.Text.Json.Nodes;
using Harness.Checkers.Sessions;
using Harness.Core.Checking;
using Harness.Core.Histories;
using Harness.Core.Nemeses;
using Harness.Testing;
using Xunit.Abstractions;

namespace Harness.Integration.Tests;

/// <summary>
/// The MariaDB experiments of docs/replication.md and docs/mysql.md, each a short CLI run on a real 3-node cluster,
/// with the outcome MariaDB's own documentation leads us to expect; each asserts that nothing is left behind.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class MariaDbExperimentTests(ITestOutputHelper output)
{
    /// <summary>One CLI run; only this run's own leftovers count (<see cref="KvRun"/>: its namespaces, rules, run
    /// directory and servers), so another developer's cluster started meanwhile on the machine is not mistaken for one.</summary>
    private async Task<KvRun> RunAsync(params string[] args)
    {
        await Capabilities.RequireAsync("ip", "iptables", "mariadbd");
        var run = await KvRun.RunAsync("mariadb", [.. args, "--seed", "7"]);
        output.WriteLine($"harness test mariadb {string.Join(' ', args)}: exit {run.Exit} in {run.Elapsed.TotalSeconds:F1} s\n{run.Output}");
        // And nothing of the cluster is left: namespaces, links, rules, directories, servers
        Assert.Empty(run.Leftovers);
        return run;
    }

    private static CheckResult Sessions(History history) => new SessionGuaranteesChecker().Check(history, CancellationToken.None);

    /// <summary>(a) https://mariadb.com/kb/en/replication-overview/ : replication is asynchronous by default, so a
    /// replica may not yet have what the primary acknowledged.</summary>
    [IntegrationFact("mariadbd", "iptables")]
    public async Task Should_FindSessionViolations_When_AsyncReplicasServeReads()
    {
        var run = await RunAsync("--workload", "session", "--replication", "async", "--read-from", "replica",
            "--time-limit", "10", "--rate", "0", "--concurrency", "6", "--key-count", "3");

        var check = Sessions(run.History);
        Assert.Equal(Validity.Invalid, check.Validity);
        Assert.Contains(check.Anomalies, a => a.Type is SessionGuaranteesChecker.ReadYourWrites or SessionGuaranteesChecker.MonotonicReads);
    }

    /// <summary>(b) https://mariadb.com/kb/en/gtid/ and https://mariadb.com/kb/en/semisynchronous-replication/ :
    /// with asynchronous replication the primary does not wait for any replica, so what a cut-off primary
    /// acknowledges is not on the replica promoted by GTID position.</summary>
    [IntegrationFact("mariadbd", "iptables")]
    public async Task Should_LoseAcknowledgedAdds_When_AsyncPrimaryIsCutOffAndAReplicaPromoted()
    {
        var run = await RunAsync("--workload", "set", "--replication", "async", "--failover", "promote",
            "--nemesis", "partition", "--partition-shape", "primaries", "--nemesis-interval", "6", "--time-limit", "14", "--recovery-time", "2");

        Assert.True(run.Exit == 1, run.Output);
        Assert.Contains("LOST", run.Checker("set")["summary"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(run.History, o => o.IsNemesis && o.F == "promote" && o.IsInfo);
    }

    /// <summary>(c) https://mariadb.com/kb/en/semisynchronous-replication/ : with
    /// rpl_semi_sync_master_wait_point = AFTER_SYNC a commit is acknowledged only after a replica has received it,
    /// so promoting the replica with the most GTIDs after a crash of the primary loses no acknowledged write.</summary>
    [IntegrationFact("mariadbd", "iptables")]
    public async Task Should_LoseNoAcknowledgedAdd_When_SemiSyncAfterSyncAndThePrimaryIsKilled()
    {
        var run = await RunAsync("--workload", "set", "--replication", "semi-sync", "--semi-sync-wait", "after-sync", "--failover", "promote",
            "--nemesis", "kill-primary", "--nemesis-interval", "5", "--time-limit", "14", "--recovery-time", "2");

        Assert.True(run.Checker("set")["validity"]!.GetValue<string>().Equals("valid", StringComparison.OrdinalIgnoreCase), run.Output);
        Assert.Contains(run.History, o => o.IsNemesis && o.F == "promote" && o.IsInfo);
        Assert.Contains(run.History, o => o.IsClient && o.IsOk && o.F == "add");
    }

    /// <summary>(d) Galera at its defaults (wsrep_sync_wait = 0), list-append transactions at the harness's default
    /// SERIALIZABLE on every node. Codership's "Isolation Levels"
    /// (https://galeracluster.com/library/documentation/isolation-levels.html): "SERIALIZABLE isolation level is honored
    /// only between transactions issued on the same node"; between transactions issued on different nodes the
    /// "first committer wins" rule of certification holds, which "eliminates the lost update anomaly": snapshot isolation
    /// across the cluster (https://mariadb.com/kb/en/certification-based-replication/ for the certification). So the
    /// history is checked as snapshot isolation, which it should keep, and the report names the strongest model it
    /// satisfies (write skew, G2-item, is allowed: it would make that serializable no more).</summary>
    [IntegrationFact("mariadbd", "iptables")]
    public async Task Should_ReachAVerdict_When_GaleraAtItsDefaultsTakesWritesOnEveryNode()
    {
        // Given list-append on a 3-node Galera cluster at its defaults, every client writing through its own node
        var run = await RunAsync("--topology", "galera", "--workload", "list-append", "--key-count", "3", "--time-limit", "10",
            "--rate", "0", "--concurrency", "6");

        // Then transactions that appended committed on every node
        var nodes = run.History.Where(o => o.IsClient && o.IsOk && o.F == "txn" && $"{o.Value}".Contains("append", StringComparison.Ordinal))
            .Select(o => o.Node).Distinct().Count();
        Assert.Equal(3, nodes);

        // And the history is checked against, and keeps, the snapshot isolation Codership documents between nodes
        var listAppend = run.Checker("list-append");
        output.WriteLine($"galera: {listAppend["validity"]}: {listAppend["summary"]}");
        Assert.Equal("snapshot-isolation", listAppend["stats"]!["model"]!.GetValue<string>());
        Assert.True(run.Exit == 0, run.Output);
        AssertNamesTheStrongestModelSatisfied(listAppend, run.Output);
    }

    /// <summary>The summary (and the command's output) names every strongest model the history satisfies.</summary>
    private static void AssertNamesTheStrongestModelSatisfied(JsonNode listAppend, string output)
    {
        var satisfied = listAppend["stats"]!["satisfies"]!.AsArray().Select(m => m!.GetValue<string>()).ToList();
        Assert.NotEmpty(satisfied);
        var summary = listAppend["summary"]!.GetValue<string>();
        Assert.Contains($"satisfies {string.Join(" and ", satisfied)}", summary, StringComparison.Ordinal);
        Assert.Contains($"satisfies {string.Join(" and ", satisfied)}", output, StringComparison.Ordinal);
    }

    /// <summary>(e) https://mariadb.com/kb/en/set-transaction/ : InnoDB's SERIALIZABLE is REPEATABLE READ with every
    /// plain read locking ("InnoDB implicitly converts all plain SELECT statements to SELECT ... LOCK IN SHARE MODE"):
    /// two-phase locking, so the history keeps serializability.</summary>
    [IntegrationFact("mariadbd", "iptables")]
    public Task Should_StaySerializable_When_ListAppendIsContendedAtSerializable() => ListAppendAsync("serializable", "serializable");

    /// <summary>https://mariadb.com/kb/en/set-transaction/#repeatable-read and
    /// https://mariadb.com/kb/en/innodb-system-variables/#innodb_snapshot_isolation : with innodb_snapshot_isolation OFF
    /// (10.11's default) only plain reads use the snapshot; writes act on the latest version, so updates can be lost and
    /// nothing above read committed is promised. The run is judged as read committed, the result names the stronger
    /// models it violates, and a lost update, which repeatable read forbids, is said plainly to contradict the level's name.</summary>
    [IntegrationFact("mariadbd", "iptables")]
    public async Task Should_JudgeRepeatableReadAsReadCommitted_When_SnapshotIsolationIsOff()
    {
        // Given list-append at repeatable read under contention, innodb_snapshot_isolation at 10.11's default (OFF)
        var listAppend = await ListAppendAsync("repeatable-read", "read-committed");

        // Then a lost update, if the history has one, is called what it is: a contradiction of the level's name
        var summary = listAppend["summary"]!.GetValue<string>();
        if (listAppend["stats"]!["anomaly_counts"]!["lost-update"] is not null)
        {
            Assert.Contains("which repeatable-read forbids: this contradicts the level's name", summary, StringComparison.Ordinal);
            Assert.Contains(listAppend["stats"]!["contradicts_level"]!.AsArray(), a => a!.GetValue<string>() == "lost-update");
        }
        else output.WriteLine("no lost update in this run: nothing contradicted the level's name");
    }

    /// <summary>https://mariadb.com/kb/en/innodb-system-variables/#innodb_snapshot_isolation : ON makes repeatable read
    /// fail a write to a record changed since the snapshot (error 1020), i.e. snapshot isolation, which allows write
    /// skew (G2-item).</summary>
    [IntegrationFact("mariadbd", "iptables")]
    public async Task Should_JudgeRepeatableReadAsSnapshotIsolation_When_SnapshotIsolationIsOn()
    {
        // Given list-append at repeatable read with innodb_snapshot_isolation = ON
        var listAppend = await ListAppendAsync("repeatable-read", "snapshot-isolation", "--innodb-snapshot-isolation", "on");

        // Then it satisfies snapshot isolation (or more)
        Assert.Contains(listAppend["stats"]!["satisfies"]!.AsArray(), m => m!.GetValue<string>() is "snapshot-isolation" or "serializable");
    }

    /// <summary>https://mariadb.com/kb/en/set-transaction/#read-committed : "each consistent read, even within the same
    /// transaction, sets and reads its own fresh snapshot": read committed, which the history keeps.</summary>
    [IntegrationFact("mariadbd", "iptables")]
    public Task Should_KeepReadCommitted_When_ListAppendIsContendedAtReadCommitted() => ListAppendAsync("read-committed", "read-committed");

    /// <summary>https://mariadb.com/kb/en/set-transaction/#read-uncommitted : "SELECT statements are performed in a
    /// non-locking fashion, but a possible earlier version of a row might be used" (dirty reads): read uncommitted, which
    /// the history keeps.</summary>
    [IntegrationFact("mariadbd", "iptables")]
    public Task Should_KeepReadUncommitted_When_ListAppendIsContendedAtReadUncommitted() => ListAppendAsync("read-uncommitted", "read-uncommitted");

    /// <summary>List-append at <paramref name="isolation"/> under contention: checked against <paramref name="promise"/>
    /// (what MariaDB documents for the level), which holds (exit 0), and the output names the strongest model satisfied.</summary>
    private async Task<JsonNode> ListAppendAsync(string isolation, string promise, params string[] more)
    {
        var run = await RunAsync(["--workload", "list-append", "--isolation", isolation, "--key-count", "3",
            "--rate", "0", "--time-limit", "10", "--concurrency", "8", .. more]);

        var listAppend = run.Checker("list-append");
        output.WriteLine($"{isolation}: {listAppend["validity"]}: {listAppend["summary"]}");
        Assert.Contains(run.History, o => o.IsClient && o.IsOk && o.F == "txn");
        Assert.Equal(promise, listAppend["stats"]!["model"]!.GetValue<string>());
        Assert.True(run.Exit == 0, run.Output);
        AssertNamesTheStrongestModelSatisfied(listAppend, run.Output);
        return listAppend;
    }

    /// <summary>
    /// The faults no other MariaDB test exercises, each once for 10 s on asynchronous replication with the bank workload,
    /// reads and transfers on the primary and no failover. A transfer is one InnoDB transaction on one server, and InnoDB
    /// transactions are atomic and survive a crash ("ACID-compliant", with crash recovery:
    /// https://mariadb.com/kb/en/innodb-storage-engine-introduction/; at innodb_flush_log_at_trx_commit = 1, the default,
    /// "after a crash, committed transactions will not be lost": https://mariadb.com/kb/en/innodb-system-variables/#innodb_flush_log_at_trx_commit).
    /// Whatever is killed, paused, cut off or loses packets, every read of the primary sees the total conserved.
    /// </summary>
    [IntegrationTheory("mariadbd", "iptables")]
    [InlineData("kill", NemesisFs.Kill)]
    [InlineData("pause", NemesisFs.Pause)]
    [InlineData("loss", NemesisFs.StartLoss)]
    [InlineData("partition", NemesisFs.StartPartition, "--partition-shape", "majorities-ring")]
    public async Task Should_ConserveTheBankTotal_When_AsyncReplicationMeetsAFault(string fault, string startF, params string[] more)
    {
        // Given bank transfers on the primary of an async cluster, with the fault every 2 s
        var run = await RunAsync(["--workload", "bank", "--replication", "async", "--read-from", "primary", "--nemesis", fault,
            "--nemesis-interval", "2", "--time-limit", "10", "--recovery-time", "1", .. more]);

        // Then a verdict is reached, the fault happened, and the primary's reads never saw the total change
        Assert.True(run.Exit is 0 or 1, run.Output);
        Assert.Contains(run.History, o => o.IsNemesis && o.F == startF && !o.IsInvoke);
        Assert.Contains(run.History, o => o.IsClient && o.IsOk && o.F == "transfer");
        var bank = run.Checker("bank");
        Assert.True(bank["validity"]!.GetValue<string>().Equals("valid", StringComparison.OrdinalIgnoreCase), run.Output);
    }

    /// <summary>(f) https://mariadb.com/kb/en/multi-source-replication/ and https://mariadb.com/kb/en/gtid/#use-with-multi-source-replication-and-other-multi-primary-setups :
    /// primaries replicating to each other asynchronously apply each other's row changes with no conflict
    /// resolution, so concurrent writes to the same keys leave the nodes with different final values.</summary>
    [IntegrationFact("mariadbd", "iptables")]
    public async Task Should_FindDivergence_When_TwoPrimariesWriteTheSameKeys()
    {
        var run = await RunAsync("--topology", "multi-primary", "--nodes", "2", "--workload", "register", "--time-limit", "10",
            "--rate", "0", "--concurrency", "6", "--key-count", "2");

        Assert.True(run.Exit == 1, run.Output);
        var convergence = run.Checker("convergence");
        Assert.Equal("invalid", convergence["validity"]!.GetValue<string>().ToLowerInvariant());
        Assert.Contains(convergence["anomalies"]!.AsArray(), a => a!["type"]!.GetValue<string>() == "divergence");
        Assert.Equal(2, run.History.Count(o => o.IsNemesis && o.IsOk && o.F == "node-state"));
    }
}
