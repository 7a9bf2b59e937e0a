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
        MySqlSettings.Async, MySqlSettings.Async, MySqlSettings.SemiSync);
    public static ChoiceOption SemiSyncWait { get; } = new("semi-sync-wait",
        "rpl_semi_sync_master_wait_point: after-sync (wait before the engine commit) or after-commit (wait after it, others already see it)",
        "after-sync", "after-sync", "after-commit");
    public static IntegerOption SemiSyncTimeout { get; } = new("semi-sync-timeout",
        "rpl_semi_sync_master_timeout in ms: after it a waiting commit returns and the primary silently falls back to async", DefaultSemiSyncTimeoutMs, 1, 3_600_000);
    /// <summary>MariaDB's own default for rpl_semi_sync_master_timeout.</summary>
    public const int DefaultSemiSyncTimeoutMs = 10000;
    public static ChoiceOption ReadFrom { get; } = new("read-from", "Where clients send reads: the primary, a replica, or any node", "primary", "primary", "replica", "any");
    public static ChoiceOption Failover { get; } = new("failover", "What happens when the primary is gone: none, or promote the replica with the most GTIDs", "none", "none", "promote");
    public static SwitchOption Fencing { get; } = new("fencing", "Kill the old primary at a promotion (needs --failover promote)");
    public static ChoiceOption Isolation { get; } = new("isolation", "Isolation level of list-append and bank transactions",
        "serializable", "read-uncommitted", "read-committed", "repeatable-read", "serializable");
    public static ChoiceOption SnapshotIsolation { get; } = new("innodb-snapshot-isolation",
        "innodb_snapshot_isolation: on (repeatable read detects write-write conflicts, error 1020), off, or the server's default",
        "default", "default", "on", "off");
    public static IntegerOption WsrepSyncWait { get; } = new("wsrep-sync-wait",
        "wsrep_sync_wait (Galera): a bit mask of statements that wait for the node to catch up first (1 = reads)", 0, 0, 15);

    public string Name => "mysql";

    public ImmutableArray<string> Aliases => ["mariadb"];

    public string Description => "MariaDB 10.11: GTID primary with async or semi-sync replicas (optional failover), Galera, or multi-primary";

    public IReadOnlySet<string> SupportedWorkloads { get; } = new HashSet<string>
    {
        RegisterWorkload.Name, SetWorkload.Name, SessionWorkload.Name, ListAppendWorkload.Name, BankWorkload.Name,
    };

    public IReadOnlyList<SuiteOption> Options { get; } =
        [Topology, Replication, SemiSyncWait, SemiSyncTimeout, ReadFrom, Failover, Fencing, Isolation, SnapshotIsolation, WsrepSyncWait];

    private static bool IsPrimaryReplica(TestOptions o) => Topology.Of(o) == MySqlSettings.PrimaryReplica;

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
    ];

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
        var workload = Workloads.Workloads.Create(options, settings.Isolation);
        var faults = options.Faults.IsDefaultOrEmpty ? "" : "-" + string.Join(',', options.Faults);
        var shape = settings.Topology switch
        {
            MySqlSettings.Galera => "-galera",
            MySqlSettings.MultiPrimary => "-multi-primary",
            _ => $"-{settings.Replication}{(settings.ReadFrom == "primary" ? "" : $"-read-{settings.ReadFrom}")}{(settings.Failover == "promote" ? "-promote" : "")}{(settings.Fencing ? "-fenced" : "")}",
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
