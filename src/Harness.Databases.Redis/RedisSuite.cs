using Harness.Core.Clients;
using Harness.Core.Nemeses;
using Harness.Core.Running;
using Harness.Core.Runs;
using Harness.Workloads;

namespace Harness.Databases.Redis;

/// <summary>
/// The <c>redis</c> database: Redis 7 (Debian's redis-server) with a primary, replicas and one redis-sentinel per
/// node, with its own options --wait and --read-from. Every fault applies; kill-primary kills the primary's
/// redis-server and Sentinel promotes a replica.
/// </summary>
public sealed class RedisSuite : ISuite
{
    public static IntegerOption Wait { get; } = new("wait", "After each write, WAIT for this many replicas to acknowledge it (0: no WAIT); fewer in time: info", 0, 0, 8);
    public static ChoiceOption ReadFrom { get; } = new("read-from", "Where clients send reads: the primary, or the client's own replica", "primary", "primary", "replica")
    {
        CannotApply = o => o.Workload != SetWorkload.Name ? null
            : "--read-from routes reads, and the set workload reads from the current primary (so its final read sees what the primary kept); leave --read-from out",
    };

    public string Name => "redis";

    public string Description => "Redis 7 with Sentinel: a primary, async replicas, failover by a quorum of sentinels; optional WAIT";

    public IReadOnlySet<string> SupportedWorkloads { get; } = new HashSet<string> { RegisterWorkload.Name, SetWorkload.Name, SessionWorkload.Name };

    public IReadOnlyList<SuiteOption> Options { get; } = [Wait, ReadFrom];

    public IReadOnlyList<OptionRule> Rules { get; } =
    [
        new("redis with Sentinel needs --nodes 3 or more (a quorum of sentinels to fail over, and replicas)", o => o.NodeCount < 3),
        new("--wait must be at most the number of replicas (--nodes minus 1)", o => Wait.Of(o) > o.NodeCount - 1),
    ];

    public TestSpec CreateTest(TestOptions options)
    {
        var settings = RedisSettings.From(options);
        var db = new RedisDatabase(settings);
        ClientFactory open = options.Workload switch
        {
            RegisterWorkload.Name => (run, node, ct) => RedisRegisterClient.OpenAsync(db, run, node, ct),
            SetWorkload.Name => (run, node, ct) => RedisSetClient.OpenAsync(db, run, node, ct),
            SessionWorkload.Name => (run, node, ct) => RedisSessionClient.OpenAsync(db, run, node, ct),
            var other => throw new NotSupportedException($"redis has no '{other}' client; use one of {string.Join(", ", SupportedWorkloads)}"),
        };
        var faults = options.Faults.IsDefaultOrEmpty ? "" : "-" + string.Join(',', options.Faults);
        return new TestSpec
        {
            Name = $"redis-{options.Workload}{(settings.Wait > 0 ? $"-wait{settings.Wait}" : "")}{(settings.ReadFrom == "primary" ? "" : "-read-replica")}{faults}",
            Options = options,
            Database = db,
            OpenClient = open,
            Workload = Workloads.Workloads.Create(options),
            Nemesis = NemesisPackages.Create(options, db),
            Packages = ["redis-server", "redis-sentinel"],
        };
    }
}
