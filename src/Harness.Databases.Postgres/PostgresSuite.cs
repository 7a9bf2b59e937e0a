using Harness.Core.Clients;
using Harness.Core.Nemeses;
using Harness.Core.Running;
using Harness.Core.Runs;
using Harness.Workloads;

namespace Harness.Databases.Postgres;

/// <summary>
/// The <c>postgres</c> database: PostgreSQL 15 with a primary and streaming standbys, with its own options:
/// --replication, --sync-replicas, --read-from, --failover, --fencing and --isolation.
/// </summary>
public sealed class PostgresSuite : ISuite
{
    public static ChoiceOption Replication { get; } = new("replication",
        "How standbys replicate: async, sync (commit waits for the WAL flush on --sync-replicas standbys) or remote-apply (and for its replay)",
        PostgresSettings.Async, PostgresSettings.Async, PostgresSettings.Sync, PostgresSettings.RemoteApply);
    public static IntegerOption SyncReplicas { get; } = new("sync-replicas", "Synchronous standbys (with --replication sync or remote-apply)", 1, 1, 8)
    {
        CannotApply = o => Replication.Of(o) == PostgresSettings.Async ? "--sync-replicas counts synchronous standbys; add --replication sync or remote-apply, or leave it out" : null,
    };
    public static ChoiceOption ReadFrom { get; } = new("read-from", "Where clients send reads: the primary, a replica, or any node", "primary", "primary", "replica", "any");
    public static ChoiceOption Failover { get; } = new("failover", "What happens when the primary is gone: none, or promote the most advanced replica", "none", "none", "promote");
    public static SwitchOption Fencing { get; } = new("fencing", "Kill the old primary at a promotion (needs --failover promote)");
    public static IntegerOption LagMs { get; } = new("lag-ms",
        "A steady replication delay on every standby: recovery_min_apply_delay, in ms; auto is " + AutoLagMs + " ms when reads go to asynchronous replicas (as in a real deployment, where replicas lag), else 0",
        0, 0, 600_000, auto: "auto")
    {
        CannotApply = o => o.NodeCount < 2 && o.DatabaseOptions.GetValueOrDefault("lag-ms") != "auto" ? "--lag-ms delays the standbys, and --nodes 1 has none; add nodes, or leave --lag-ms out" : null,
    };
    public const int AutoLagMs = 100;
    public static ChoiceOption Isolation { get; } = new("isolation", "Isolation level of list-append and bank transactions",
        "serializable", "read-committed", "repeatable-read", "serializable")
    {
        CannotApply = o => o.Workload is ListAppendWorkload.Name or BankWorkload.Name ? null
            : $"--isolation sets the level of list-append and bank transactions; the {o.Workload} workload has none, so leave --isolation out",
    };

    public string Name => "postgres";

    public string Description => "PostgreSQL 15: a primary and streaming standbys (async, sync or remote-apply), optional failover";

    public IReadOnlySet<string> SupportedWorkloads { get; } = new HashSet<string>
    {
        RegisterWorkload.Name, SetWorkload.Name, SessionWorkload.Name, ListAppendWorkload.Name, BankWorkload.Name,
    };

    public IReadOnlyList<SuiteOption> Options { get; } = [Replication, SyncReplicas, ReadFrom, Failover, Fencing, LagMs, Isolation];

    public IReadOnlyList<OptionRule> Rules { get; } =
    [
        new("--failover promote needs --nodes 2 or more (a replica to promote)", o => Failover.Of(o) == "promote" && o.NodeCount < 2),
        new("--fencing fences the old primary at a promotion; add --failover promote", o => Fencing.Of(o) && Failover.Of(o) != "promote"),
        new("--read-from replica needs --nodes 2 or more", o => ReadFrom.Of(o) == "replica" && o.NodeCount < 2),
        new("--replication sync and remote-apply need --nodes 2 or more (a standby to wait for)", o => Replication.Of(o) != PostgresSettings.Async && o.NodeCount < 2),
        new("--sync-replicas must be at most the number of standbys (--nodes minus 1)",
            o => Replication.Of(o) != PostgresSettings.Async && o.NodeCount >= 2 && SyncReplicas.Of(o) > o.NodeCount - 1),
    ];

    /// <summary>
    /// The consistency model each isolation level promises, by PostgreSQL's documentation
    /// (https://www.postgresql.org/docs/15/transaction-iso.html): read committed is read committed; repeatable read
    /// "is implemented using a technique known ... as Snapshot Isolation" (so write skew, G2-item, is allowed);
    /// serializable is Serializable Snapshot Isolation, i.e. serializable.
    /// </summary>
    /// <summary>The apply delay for --lag-ms (auto: a small delay when reads go to asynchronous replicas).</summary>
    public static int LagOf(TestOptions options) => LagMs.OfOrAuto(options)
        ?? (ReadFrom.Of(options) != "primary" && Replication.Of(options) == PostgresSettings.Async ? AutoLagMs : 0);

    public static string Promise(string isolation) => isolation switch
    {
        "repeatable-read" => "snapshot-isolation",
        var level => level,
    };

    public TestSpec CreateTest(TestOptions options)
    {
        var settings = PostgresSettings.From(options);
        var db = new PostgresDatabase(settings);
        ClientFactory open = options.Workload switch
        {
            RegisterWorkload.Name => (run, node, ct) => PostgresRegisterClient.OpenAsync(db, run, node, ct),
            SetWorkload.Name => (run, node, ct) => PostgresSetClient.OpenAsync(db, run, node, ct),
            SessionWorkload.Name => (run, node, ct) => PostgresSessionClient.OpenAsync(db, run, node, ct),
            ListAppendWorkload.Name => (run, node, ct) => PostgresListAppendClient.OpenAsync(db, run, node, ct),
            BankWorkload.Name => (run, node, ct) => PostgresBankClient.OpenAsync(db, run, node, BankWorkload.Accounts, BankWorkload.InitialBalance, ct),
            var other => throw new NotSupportedException($"postgres has no '{other}' client; use one of {string.Join(", ", SupportedWorkloads)}"),
        };
        var faults = options.Faults.IsDefaultOrEmpty ? "" : "-" + string.Join(',', options.Faults);
        var replication = $"-{settings.Replication}{(settings.ReadFrom == "primary" ? "" : $"-read-{settings.ReadFrom}")}{(settings.Failover == "promote" ? "-promote" : "")}{(settings.Fencing ? "-fenced" : "")}{(settings.LagMs > 0 ? $"-lag{settings.LagMs}ms" : "")}";
        return new TestSpec
        {
            Name = $"postgres-{options.Workload}{replication}{faults}",
            Options = options,
            Database = db,
            OpenClient = open,
            Workload = Workloads.Workloads.Create(options, Promise(settings.Isolation)),
            Nemesis = NemesisPackages.Create(options, db),
            Packages = ["postgresql-15"],
        };
    }
}
