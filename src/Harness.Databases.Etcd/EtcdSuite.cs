using Harness.Core.Clients;
using Harness.Core.Nemeses;
using Harness.Core.Running;
using Harness.Core.Runs;
using Harness.Workloads;

namespace Harness.Databases.Etcd;

/// <summary>
/// The <c>etcd</c> database: etcd 3.4 (Debian's etcd-server), one Raft member per node, with its own option
/// --serializable-reads. Every fault applies: partition (every shape), kill, pause, kill-primary (the Raft
/// leader) and loss.
/// </summary>
public sealed class EtcdSuite : ISuite
{
    public static SwitchOption SerializableReads { get; } = new("serializable-reads",
        "Serializable reads: served by the member a client talks to from its own state, without asking the leader (may be stale); default linearizable");

    public static SwitchOption PreVote { get; } = new("pre-vote",
        "etcd's --pre-vote (off by default in 3.4): a member rejoining after a partition cannot depose the leader with its higher term")
    {
        // a single member wins every election on its own vote, with or without the pre-vote round
        CannotApply = o => o.NodeCount > 1 ? null
            : "--pre-vote keeps a member that was cut off from deposing the leader when it rejoins, and --nodes 1 has no other member; add nodes (3 or 5), or leave --pre-vote out",
    };

    public string Name => "etcd";

    public string Description => "etcd 3.4: a Raft cluster of 1, 3 or 5 members; linearizable or serializable reads";

    public IReadOnlySet<string> SupportedWorkloads { get; } = new HashSet<string>
    {
        RegisterWorkload.Name, SetWorkload.Name, SessionWorkload.Name, ListAppendWorkload.Name,
    };

    public IReadOnlyList<SuiteOption> Options { get; } = [SerializableReads, PreVote];

    public IReadOnlyList<OptionRule> Rules { get; } =
    [
        new("etcd runs on an odd number of nodes (Raft: 4 members tolerate no more failures than 3); use --nodes 1, 3, 5 or 7",
            o => o.NodeCount % 2 == 0 || o.NodeCount > 7),
    ];

    public TestSpec CreateTest(TestOptions options)
    {
        var settings = EtcdSettings.From(options);
        var db = new EtcdDatabase(settings);
        ClientFactory open = options.Workload switch
        {
            RegisterWorkload.Name => (run, node, ct) => EtcdRegisterClient.OpenAsync(db, run, node, ct),
            SetWorkload.Name => (run, node, ct) => EtcdSetClient.OpenAsync(db, run, node, ct),
            SessionWorkload.Name or ListAppendWorkload.Name => (run, node, ct) => EtcdListAppendClient.OpenAsync(db, run, node, ct),
            var other => throw new NotSupportedException($"etcd has no '{other}' client; use one of {string.Join(", ", SupportedWorkloads)}"),
        };
        var faults = options.Faults.IsDefaultOrEmpty ? "" : "-" + string.Join(',', options.Faults);
        return new TestSpec
        {
            Name = $"etcd-{options.Workload}{(settings.SerializableReads ? "-serializable-reads" : "")}{(settings.PreVote ? "-pre-vote" : "")}{faults}",
            Options = options,
            Database = db,
            OpenClient = open,
            // etcd transactions are strictly serializable (https://etcd.io/docs/v3.4/learning/api_guarantees/);
            // with --serializable-reads a read-only txn is only serializable
            Workload = Workloads.Workloads.Create(options, settings.SerializableReads ? "serializable" : "strict-serializable"),
            Nemesis = NemesisPackages.Create(options, db),
            Packages = ["etcd-server"],
        };
    }
}
