using System.Collections.Immutable;
using Harness.Core.Clients;
using Harness.Core.Nemeses;
using Harness.Core.Running;
using Harness.Core.Runs;
using Harness.Workloads;

namespace Harness.Databases.MySql;

/// <summary>
/// The <c>mysql</c> database (alias <c>mariadb</c>): MariaDB 10.11 as a GTID primary with asynchronous or
/// semi-synchronous replicas (optional failover), a Galera cluster, or several primaries replicating to each other.
/// </summary>
public sealed class MySqlSuite : ISuite
{
    public static ChoiceOption Topology { get; } = new("topology",
        "primary-replica (n1 primary, GTID replicas), galera (every node a primary, synchronous) or multi-primary (every node a primary, asynchronous multi-source)",
        MySqlSettings.PrimaryReplica, MySqlSettings.PrimaryReplica, MySqlSettings.Galera, MySqlSettings.MultiPrimary);
    public static ChoiceOption Replication { get; } = new("replication",
        "How replicas replicate (primary-replica): async, or semi-sync (a commit waits for one replica's acknowledgement, up to --semi-sync-timeout)",
        MySqlSettings.Async, MySqlSettings.Async, MySqlSettings.SemiSync)
    {
        CannotApply = o => !IsPrimaryReplica(o)
            ? $"--replication chooses how the replicas of --topology primary-replica replicate, and --topology {Topology.Of(o)} replicates its own way; use --topology primary-replica, or leave --replication out"
            : o.NodeCount < 2 ? "--replication chooses how the replicas replicate, and --nodes 1 has none; add nodes, or leave --replication out" : null,
    };
    public static ChoiceOption SemiSyncWait { get; } = new("semi-sync-wait",
        "rpl_semi_sync_master_wait_point: after-sync (wait before the engine commit) or after-commit (wait after it, others already see it)",
        "after-sync", "after-sync", "after-commit")
    {
        CannotApply = o => WithoutSemiSync(o, "--semi-sync-wait sets when a semi-sync commit waits for a replica's acknowledgement"),
    };
    public static IntegerOption SemiSyncTimeout { get; } = new("semi-sync-timeout",
        "rpl_semi_sync_master_timeout in ms: after it a waiting commit returns and the primary silently falls back to async", DefaultSemiSyncTimeoutMs, 1, 3_600_000)
    {
        CannotApply = o => WithoutSemiSync(o, "--semi-sync-timeout bounds how long a semi-sync commit waits for a replica's acknowledgement"),
    };
    /// <summary>MariaDB's own default for rpl_semi_sync_master_timeout.</summary>
    public const int DefaultSemiSyncTimeoutMs = 10000;
    public static ChoiceOption ReadFrom { get; } = new("read-from", "Where clients send reads: the primary, a replica, or any node", "primary", "primary", "replica", "any")
    {
        CannotApply = o => o.NodeCount < 2 ? "--read-from chooses the node that serves reads, and --nodes 1 has only one; add nodes, or leave --read-from out"
            // the set workload reads where it writes; the only other thing --read-from decides is --lag-ms auto
            : o.Workload == SetWorkload.Name && LagOf(o) == LagOf(o with { DatabaseOptions = o.DatabaseOptions.SetItem("read-from", "primary") })
                ? "--read-from routes reads, and the set workload reads from the node it writes to (so its final read sees what the primary kept); leave --read-from out"
                : null,
    };
    public static ChoiceOption Failover { get; } = new("failover", "What happens when the primary is gone: none, or promote the replica with the most GTIDs", "none", "none", "promote")
    {
        CannotApply = o => !IsPrimaryReplica(o)
            ? $"--failover chooses what happens when the primary is gone, and --topology {Topology.Of(o)} has no single primary; use --topology primary-replica, or leave --failover out"
            : o.NodeCount < 2 ? "--failover chooses what happens when the primary is gone, and --nodes 1 has no replica to promote; add nodes, or leave --failover out" : null,
    };
    public static SwitchOption Fencing { get; } = new("fencing", "Kill the old primary at a promotion (needs --failover promote)")
    {
        CannotApply = o => Failover.Of(o) == "promote" ? null
            : "--fencing kills the old primary at a promotion, and without --failover promote there is none; add --failover promote, or leave --fencing out",
    };
    public static ChoiceOption Isolation { get; } = new("isolation", "Isolation level of list-append and bank transactions",
        "serializable", "read-uncommitted", "read-committed", "repeatable-read", "serializable")
    {
        CannotApply = o => RunsTransactions(o) ? null
            : $"--isolation sets the level of list-append and bank transactions; the {o.Workload} workload has none, so leave --isolation out",
    };
    public static ChoiceOption SnapshotIsolation { get; } = new("innodb-snapshot-isolation",
        "innodb_snapshot_isolation: on (repeatable read detects write-write conflicts, error 1020), off, or the server's default",
        "default", "default", "on", "off")
    {
        CannotApply = SnapshotIsolationIdle,
    };
    public static IntegerOption WsrepSyncWait { get; } = new("wsrep-sync-wait",
        "wsrep_sync_wait (Galera): a bit mask of statements that wait for the node to catch up first (1 = reads)", 0, 0, 15)
    {
        CannotApply = o => Topology.Of(o) == MySqlSettings.Galera ? null
            : $"--wsrep-sync-wait makes statements on a Galera node wait until it has caught up, and --topology {Topology.Of(o)} is not Galera; add --topology galera, or leave --wsrep-sync-wait out",
    };
    public static IntegerOption LagMs { get; } = new("lag-ms",
        "A steady replication delay on every replica: CHANGE MASTER TO MASTER_DELAY, in whole seconds, so a multiple of 1000 ms; auto is "
        + AutoLagMs + " ms when reads go to asynchronous replicas (as in a real deployment, where replicas lag), else 0",
        0, 0, 600_000, auto: "auto")
    {
        // auto is the suite's own choice from the other options, never refused
        CannotApply = o => o.DatabaseOptions.GetValueOrDefault("lag-ms") == "auto" ? null
            : Topology.Of(o) == MySqlSettings.Galera
                ? "--lag-ms delays the replicas' SQL threads, and galera has none; use --topology primary-replica or multi-primary, or leave --lag-ms out"
                : o.NodeCount < 2 ? "--lag-ms delays the replicas, and --nodes 1 has none; add nodes, or leave --lag-ms out" : null,
    };
    /// <summary>--lag-ms auto when reads go to asynchronous replicas: MASTER_DELAY's smallest step, 1 s. Without it a
    /// replica on this machine applies a commit within a millisecond or so, and the session workload at the default
    /// rate found nothing (3 of 3 runs of 6 s).</summary>
    public const int AutoLagMs = 1000;

    public string Name => "mysql";

    public ImmutableArray<string> Aliases => ["mariadb"];

    public string Description => "MariaDB 10.11: GTID primary with async or semi-sync replicas (optional failover), Galera, or multi-primary";

    public IReadOnlySet<string> SupportedWorkloads { get; } = new HashSet<string>
    {
        RegisterWorkload.Name, SetWorkload.Name, SessionWorkload.Name, ListAppendWorkload.Name, BankWorkload.Name,
    };

    public IReadOnlyList<SuiteOption> Options { get; } =
        [Topology, Replication, SemiSyncWait, SemiSyncTimeout, ReadFrom, Failover, Fencing, LagMs, Isolation, SnapshotIsolation, WsrepSyncWait];

    private static bool IsPrimaryReplica(TestOptions o) => Topology.Of(o) == MySqlSettings.PrimaryReplica;

    /// <summary>True for the workloads whose operations are explicit transactions at --isolation (the others run one
    /// autocommit statement per operation).</summary>
    private static bool RunsTransactions(TestOptions o) => o.Workload is ListAppendWorkload.Name or BankWorkload.Name;

    /// <summary>The line refusing --innodb-snapshot-isolation where no transaction reads a snapshot it could check a
    /// write against (only repeatable read keeps one for the whole transaction), or null.</summary>
    private static string? SnapshotIsolationIdle(TestOptions o)
    {
        const string What = "--innodb-snapshot-isolation decides what a repeatable-read transaction does when a row changed since its snapshot";
        if (!RunsTransactions(o))
            return $"{What}; the {o.Workload} workload runs each operation as one statement, with no transaction, so leave --innodb-snapshot-isolation out";
        var why = Isolation.Of(o) switch
        {
            "repeatable-read" => null,
            "serializable" => "locks the rows it reads instead of reading a snapshot",
            "read-committed" => "takes a fresh snapshot at every statement",
            _ => "reads the latest rows, with no snapshot",
        };
        return why is null ? null : $"{What}, and --isolation {Isolation.Of(o)} {why}; add --isolation repeatable-read, or leave --innodb-snapshot-isolation out";
    }

    /// <summary>The line refusing a semi-sync option (<paramref name="what"/> it does) without semi-sync replication, or null.</summary>
    private static string? WithoutSemiSync(TestOptions o, string what)
    {
        if (Replication.Of(o) == MySqlSettings.SemiSync) return null;
        var flag = what[..what.IndexOf(' ', StringComparison.Ordinal)];
        return IsPrimaryReplica(o)
            ? $"{what}, and --replication async has no such wait; add --replication semi-sync, or leave {flag} out"
            : $"{what}, and --topology {Topology.Of(o)} has no semi-sync replication; use --topology primary-replica --replication semi-sync, or leave {flag} out";
    }

    public IReadOnlyList<OptionRule> Rules { get; } =
    [
        new("--failover promote needs --nodes 2 or more (a replica to promote)", o => Failover.Of(o) == "promote" && o.NodeCount < 2),
        new("--fencing fences the old primary at a promotion; add --failover promote", o => Fencing.Of(o) && Failover.Of(o) != "promote"),
        new("--failover promote is for --topology primary-replica (galera and multi-primary have no single primary)", o => Failover.Of(o) == "promote" && !IsPrimaryReplica(o)),
        new("--read-from replica needs --topology primary-replica and --nodes 2 or more", o => ReadFrom.Of(o) == "replica" && (o.NodeCount < 2 || !IsPrimaryReplica(o))),
        new("--replication semi-sync needs --nodes 2 or more (a replica to acknowledge)", o => Replication.Of(o) == MySqlSettings.SemiSync && o.NodeCount < 2),
        new("--replication chooses how replicas of --topology primary-replica replicate; galera and multi-primary have their own",
            o => Replication.Of(o) != MySqlSettings.Async && !IsPrimaryReplica(o)),
        new("--semi-sync-wait and --semi-sync-timeout need --replication semi-sync",
            o => Replication.Of(o) != MySqlSettings.SemiSync && (SemiSyncWait.Of(o) != SemiSyncWait.Default || SemiSyncTimeout.Of(o) != DefaultSemiSyncTimeoutMs)),
        new("--wsrep-sync-wait is a Galera setting; add --topology galera", o => WsrepSyncWait.Of(o) != 0 && Topology.Of(o) != MySqlSettings.Galera),
        new("--topology multi-primary needs --nodes 2 or more (primaries to replicate between)", o => Topology.Of(o) == MySqlSettings.MultiPrimary && o.NodeCount < 2),
        new("--lag-ms is MariaDB's MASTER_DELAY, which counts whole seconds: use a multiple of 1000 (e.g. 1000 or 2000), or 0", o => LagMs.Of(o) % 1000 != 0),
        new("--lag-ms and --nemesis lag delay a replica's SQL thread; galera has none (flow control keeps every node within a few write sets of the others): use --topology primary-replica",
            o => Topology.Of(o) == MySqlSettings.Galera && (LagMs.Of(o) != 0 || (!o.Faults.IsDefault && o.Faults.Contains(NemesisPackages.Lag)))),
    ];

    /// <summary>The replication delay for --lag-ms in ms (auto: MASTER_DELAY's smallest step when reads go to asynchronous replicas).</summary>
    public static int LagOf(TestOptions options) => LagMs.OfOrAuto(options)
        ?? (IsPrimaryReplica(options) && ReadFrom.Of(options) != "primary" && Replication.Of(options) == MySqlSettings.Async ? AutoLagMs : 0);

    /// <summary>
    /// The consistency model each isolation level promises, by MariaDB's documentation, which the list-append checker
    /// checks the history against (the result also names the strongest model satisfied and the weakest violated):
    /// <list type="bullet">
    /// <item>serializable: "like REPEATABLE READ, but InnoDB implicitly converts all plain SELECT statements to SELECT ...
    /// LOCK IN SHARE MODE" (https://mariadb.com/kb/en/set-transaction/#serializable): two-phase locking, serializable.</item>
    /// <item>repeatable-read with innodb_snapshot_isolation = ON: "all consistent reads within the same transaction read the
    /// snapshot established by the first read" (https://mariadb.com/kb/en/set-transaction/#repeatable-read), and a write
    /// to a record changed since that snapshot fails with error 1020 (https://mariadb.com/kb/en/innodb-system-variables/#innodb_snapshot_isolation):
    /// snapshot isolation.</item>
    /// <item>repeatable-read with it OFF (10.11's default, used for "default"; ON only from 11.6.2): the snapshot covers plain
    /// reads only; locking reads and writes act on the latest committed version, so updates can be lost. Nothing above read
    /// committed is documented for what a transaction writes: read committed.</item>
    /// <item>read-committed: "each consistent read, even within the same transaction, sets and reads its own fresh
    /// snapshot": read committed. read-uncommitted: reads "may see a possible earlier version of a row" (dirty reads):
    /// read uncommitted.</item>
    /// <item>Galera, serializable: Codership documents that "SERIALIZABLE isolation level is honored only between
    /// transactions issued on the same node", and that between transactions issued on different nodes the
    /// "first committer wins" rule of certification applies, which "eliminates the lost update anomaly"
    /// (https://galeracluster.com/library/documentation/isolation-levels.html): snapshot isolation across nodes, so
    /// serializable is checked as snapshot isolation (write skew, G2-item, allowed). The other levels keep their
    /// single-server promise, which the same page says the cluster is "no weaker than".</item>
    /// </list>
    /// The result also names the level as MariaDB calls it, so a history that breaks that name says so plainly.
    /// </summary>
    public static string Promise(string isolation, bool? snapshotIsolation, string topology = MySqlSettings.PrimaryReplica) => isolation switch
    {
        "serializable" when topology == MySqlSettings.Galera => "snapshot-isolation",
        "repeatable-read" when snapshotIsolation == true => "snapshot-isolation",
        "repeatable-read" => "read-committed",
        var level => level,
    };

    public TestSpec CreateTest(TestOptions options)
    {
        var settings = MySqlSettings.From(options);
        var db = new MySqlDatabase(settings);
        ClientFactory open = options.Workload switch
        {
            RegisterWorkload.Name => (run, node, ct) => Task.FromResult<IClient>(new MySqlRegisterClient(db, node)),
            SetWorkload.Name => (run, node, ct) => Task.FromResult<IClient>(new MySqlSetClient(db, node)),
            SessionWorkload.Name => (run, node, ct) => Task.FromResult<IClient>(new MySqlSessionClient(db, node)),
            ListAppendWorkload.Name => (run, node, ct) => Task.FromResult<IClient>(new MySqlListAppendClient(db, node)),
            BankWorkload.Name => (run, node, ct) => Task.FromResult<IClient>(new MySqlBankClient(db, node, BankWorkload.Accounts, BankWorkload.InitialBalance)),
            var other => throw new NotSupportedException($"mysql has no '{other}' client; use one of {string.Join(", ", SupportedWorkloads)}"),
        };
        var workload = Workloads.Workloads.Create(options, Promise(settings.Isolation, settings.SnapshotIsolation, settings.Topology), settings.Isolation);
        var faults = options.Faults.IsDefaultOrEmpty ? "" : "-" + string.Join(',', options.Faults);
        var shape = settings.Topology switch
        {
            MySqlSettings.Galera => "-galera",
            MySqlSettings.MultiPrimary => "-multi-primary",
            _ => $"-{settings.Replication}{(settings.ReadFrom == "primary" ? "" : $"-read-{settings.ReadFrom}")}{(settings.Failover == "promote" ? "-promote" : "")}{(settings.Fencing ? "-fenced" : "")}{(settings.LagMs > 0 ? $"-lag{settings.LagMs}ms" : "")}",
        };
        return new TestSpec
        {
            Name = $"mysql-{options.Workload}{shape}{faults}",
            Options = options,
            Database = db,
            OpenClient = open,
            // every node's final state is read after the run (IHasNodeStates) and compared
            Workload = workload with { Checker = Harness.Core.Checking.Checkers.Compose("mysql", workload.Checker, new ConvergenceChecker()) },
            Nemesis = NemesisPackages.Create(options, db),
            Packages = settings.Topology == MySqlSettings.Galera ? ["mariadb-server", "mariadb-client", "galera-4", "rsync"] : ["mariadb-server", "mariadb-client"],
        };
    }
}
