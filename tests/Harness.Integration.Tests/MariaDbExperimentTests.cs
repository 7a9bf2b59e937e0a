using System.Diagnostics;
using System.Text.Json.Nodes;
using Harness.Checkers.Sessions;
using Harness.Cli;
using Harness.Core.Checking;
using Harness.Core.Histories;
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
    private sealed record RunOutcome(int Exit, string Output, JsonNode Results, History History)
    {
        public JsonNode Checker(string name) => Find(Results, name) ?? throw new InvalidOperationException($"no {name} checker in\n{Results}");

        // the innermost match: a workload's checker may be composed under the same name (list-append > list-append, visibility)
        private static JsonNode? Find(JsonNode node, string name) =>
            node["children"]?.AsArray().Select(c => Find(c!, name)).FirstOrDefault(c => c is not null)
            ?? (node["checker"]?.GetValue<string>() == name ? node : null);
    }

    private async Task<RunOutcome> RunAsync(params string[] args)
    {
        await Capabilities.RequireAsync("ip", "iptables", "mariadbd");
        var results = Directory.CreateTempSubdirectory("harness-maria-").FullName;
        var before = await MachineSnapshot.TakeAsync();
        var servers = MariaDbServers();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var clock = Stopwatch.StartNew();
        var exit = await CliApp.RunAsync(["test", "mariadb", .. args, "--results", results, "--plain", "--seed", "7"], stdout, stderr);
        output.WriteLine($"harness test mariadb {string.Join(' ', args)}: exit {exit} in {clock.Elapsed.TotalSeconds:F1} s\n{stdout}{stderr}");
        var file = Directory.EnumerateFiles(results, "results.json", SearchOption.AllDirectories).Single(f => !f.Contains("/latest/", StringComparison.Ordinal));
        var dir = Path.GetDirectoryName(file)!; // a file path has a directory
        var outcome = new RunOutcome(exit, $"{stdout}\n{stderr}", JsonNode.Parse(await File.ReadAllTextAsync(file))!, HistoryJson.ReadFile(Path.Combine(dir, "history.jsonl")));
        Assert.True(File.Exists(Path.Combine(dir, "logs", "n1", "mariadb.log")), "the node logs are collected");
        Directory.Delete(results, recursive: true);
        // And nothing of the cluster is left: namespaces, links, rules, directories, servers
        Assert.Empty(await MachineSnapshot.NewSinceAsync(before));
        Assert.Empty(MariaDbServers().Except(servers));
        return outcome;
    }

    /// <summary>PIDs of running mariadbd processes started with a harness config (test-side check only).</summary>
    private static HashSet<int> MariaDbServers()
    {
        var pids = new HashSet<int>();
        foreach (var d in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out var pid)) continue;
            try
            {
                var cmd = File.ReadAllText(Path.Combine(d, "cmdline"));
                var stat = File.ReadAllText(Path.Combine(d, "stat"));
                if (cmd.StartsWith("mariadbd\0--defaults-file=", StringComparison.Ordinal) && cmd.Contains("/my/my.cnf", StringComparison.Ordinal)
                    && stat[(stat.LastIndexOf(')') + 2)] != 'Z')
                    pids.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return pids;
    }

    private static CheckResult Sessions(History history) => new SessionGuaranteesChecker().Check(history, CancellationToken.None);

    /// <summary>(a) https://mariadb.com/kb/en/replication-overview/ : replication is asynchronous by default, so a
    /// replica may not yet have what the primary acknowledged.</summary>
    [IntegrationFact("mariadbd", "iptables")]
    public async Task Should_FindSessionViolations_When_AsyncReplicasServeReads()
    {
        var run = await RunAsync("--workload", "session", "--replication", "async", "--read-from", "replica",
            "--time-limit", "8", "--rate", "0", "--concurrency", "6", "--key-count", "3");

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

    /// <summary>(d) https://mariadb.com/kb/en/galera-cluster/ and
    /// https://mariadb.com/kb/en/galera-cluster-system-variables/#wsrep_sync_wait : Galera is virtually synchronous;
    /// at its default wsrep_sync_wait = 0 a read on one node need not see a write just committed on another. The
    /// verdict of registers written and read on every node is reported, not prescribed.</summary>
    [IntegrationFact("mariadbd", "iptables")]
    public async Task Should_ReachAVerdict_When_GaleraAtItsDefaultsTakesWritesOnEveryNode()
    {
        var run = await RunAsync("--topology", "galera", "--workload", "register", "--time-limit", "8", "--rate", "0",
            "--concurrency", "6", "--key-count", "3");

        Assert.True(run.Exit is 0 or 1, run.Output);
        var nodes = run.History.Where(o => o.IsClient && o.IsOk && o.F == "write").Select(o => o.Node).Distinct().Count();
        Assert.Equal(3, nodes);
        output.WriteLine($"galera verdict: {run.Results["validity"]}: {run.Results["summary"]}");
    }

    /// <summary>(e) https://mariadb.com/kb/en/set-transaction/ : InnoDB's SERIALIZABLE is REPEATABLE READ with
    /// every plain read locking (two-phase locking), so no cycle is expected; the weaker levels are reported.</summary>
    [IntegrationFact("mariadbd", "iptables")]
    public Task Should_StaySerializable_When_ListAppendIsContendedAtSerializable() => ListAppendAsync("serializable");

    /// <summary>https://mariadb.com/kb/en/set-transaction/#repeatable-read and
    /// https://mariadb.com/kb/en/innodb-system-variables/#innodb_snapshot_isolation : with innodb_snapshot_isolation OFF
    /// (10.11's default) only plain reads use the snapshot; writes act on the latest version, so updates can be lost and
    /// nothing above read committed is promised. The run is judged as read committed, and the result names the stronger
    /// models it violates.</summary>
    [IntegrationFact("mariadbd", "iptables")]
    public async Task Should_JudgeRepeatableReadAsReadCommitted_When_SnapshotIsolationIsOff()
    {
        // Given list-append at repeatable read under contention, innodb_snapshot_isolation at 10.11's default (OFF)
        var listAppend = await ListAppendAsync("repeatable-read");

        // Then it is checked against read committed, and the result says which stronger models it breaks
        Assert.Equal("read-committed", listAppend["stats"]!["model"]!.GetValue<string>());
        Assert.Equal("valid", listAppend["validity"]!.GetValue<string>().ToLowerInvariant());
        Assert.Contains("satisfies", listAppend["summary"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    /// <summary>https://mariadb.com/kb/en/innodb-system-variables/#innodb_snapshot_isolation : ON makes repeatable read
    /// fail a write to a record changed since the snapshot (error 1020), i.e. snapshot isolation, which allows write
    /// skew (G2-item).</summary>
    [IntegrationFact("mariadbd", "iptables")]
    public async Task Should_JudgeRepeatableReadAsSnapshotIsolation_When_SnapshotIsolationIsOn()
    {
        // Given list-append at repeatable read with innodb_snapshot_isolation = ON
        var listAppend = await ListAppendAsync("repeatable-read", "--innodb-snapshot-isolation", "on");

        // Then it is checked against, and satisfies, snapshot isolation
        Assert.Equal("snapshot-isolation", listAppend["stats"]!["model"]!.GetValue<string>());
        Assert.Equal("valid", listAppend["validity"]!.GetValue<string>().ToLowerInvariant());
        Assert.Contains(listAppend["stats"]!["satisfies"]!.AsArray(), m => m!.GetValue<string>() is "snapshot-isolation" or "serializable");
    }

    [IntegrationFact("mariadbd", "iptables")]
    public Task Should_ReachAVerdict_When_ListAppendIsContendedAtReadCommitted() => ListAppendAsync("read-committed");

    [IntegrationFact("mariadbd", "iptables")]
    public Task Should_ReachAVerdict_When_ListAppendIsContendedAtReadUncommitted() => ListAppendAsync("read-uncommitted");

    private async Task<JsonNode> ListAppendAsync(string isolation, params string[] more)
    {
        var run = await RunAsync(["--workload", "list-append", "--isolation", isolation, "--key-count", "3",
            "--rate", "0", "--time-limit", "6", "--concurrency", "8", .. more]);

        var listAppend = run.Checker("list-append");
        output.WriteLine($"{isolation}: {listAppend["validity"]}: {listAppend["summary"]}");
        if (isolation == "serializable") Assert.True(run.Exit == 0, run.Output);
        else Assert.True(run.Exit is 0 or 1, run.Output);
        Assert.Contains(run.History, o => o.IsClient && o.IsOk && o.F == "txn");
        return listAppend;
    }

    /// <summary>(f) https://mariadb.com/kb/en/multi-source-replication/ and https://mariadb.com/kb/en/gtid/#use-with-multi-source-replication-and-other-multi-primary-setups :
    /// primaries replicating to each other asynchronously apply each other's row changes with no conflict
    /// resolution, so concurrent writes to the same keys leave the nodes with different final values.</summary>
    [IntegrationFact("mariadbd", "iptables")]
    public async Task Should_FindDivergence_When_TwoPrimariesWriteTheSameKeys()
    {
        var run = await RunAsync("--topology", "multi-primary", "--nodes", "2", "--workload", "register", "--time-limit", "6",
            "--rate", "0", "--concurrency", "6", "--key-count", "2");

        Assert.True(run.Exit == 1, run.Output);
        var convergence = run.Checker("convergence");
        Assert.Equal("invalid", convergence["validity"]!.GetValue<string>().ToLowerInvariant());
        Assert.Contains(convergence["anomalies"]!.AsArray(), a => a!["type"]!.GetValue<string>() == "divergence");
        Assert.Equal(2, run.History.Count(o => o.IsNemesis && o.IsOk && o.F == "node-state"));
    }
}
