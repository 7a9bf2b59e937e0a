using Harness.Checkers.Sessions;
using Harness.Core.Checking;
using Harness.Core.Histories;
using Harness.Testing;

namespace Harness.Integration.Tests;

/// <summary>The five replication experiments of docs/replication.md, each a short CLI run on a real cluster.</summary>
[Collection(ClusterCollection.Name)]
public sealed class PostgresExperimentTests
{
    internal static async Task<CliRun> RunAsync(params string[] args)
    {
        await Capabilities.RequireAsync("ip", "iptables", "postgres");
        return await CliRun.RunAsync("postgres", [.. args, "--seed", "7"]);
    }

    private static CheckResult Sessions(History history) => new SessionGuaranteesChecker().Check(history, CancellationToken.None);

    [IntegrationFact("postgres", "iptables")]
    public async Task Should_FindSessionViolations_When_AsyncReplicasServeReads()
    {
        // When sessions append on the primary and read from their (sticky) async replica
        var run = await RunAsync("--workload", "session", "--replication", "async", "--read-from", "replica",
            "--time-limit", "10", "--rate", "0", "--concurrency", "6", "--key-count", "3");

        // Then reads miss the session's own acknowledged appends, or go back in time
        var check = Sessions(run.History);
        Assert.Equal(Validity.Invalid, check.Validity);
        Assert.Contains(check.Anomalies, a => a.Type is SessionGuaranteesChecker.ReadYourWrites or SessionGuaranteesChecker.MonotonicReads);
    }

    [IntegrationFact("postgres", "iptables")]
    public async Task Should_KeepEverySessionGuarantee_When_RemoteApplyCoversEveryReplica()
    {
        // When every commit waits until both replicas have applied it, and sessions read from one sticky replica
        var run = await RunAsync("--workload", "session", "--replication", "remote-apply", "--sync-replicas", "2", "--read-from", "replica",
            "--time-limit", "10", "--rate", "0", "--concurrency", "6", "--key-count", "3");

        // Then every session guarantee holds
        var check = Sessions(run.History);
        Assert.True(check.Validity == Validity.Valid, check.Summary);
        Assert.Contains(run.History, o => o.IsOk && o.F == "txn");
    }

    [IntegrationFact("postgres", "iptables")]
    public async Task Should_LoseAcknowledgedAdds_When_AsyncPrimaryIsCutOffAndAReplicaPromoted()
    {
        // When the primary is cut off from its async replicas, keeps acknowledging adds, and a replica is promoted
        var run = await RunAsync("--workload", "set", "--replication", "async", "--failover", "promote",
            "--nemesis", "partition", "--partition-shape", "primaries", "--nemesis-interval", "7", "--time-limit", "16", "--recovery-time", "2");

        // Then the final read on the new primary lacks acknowledged adds, and the promotion is in the history
        Assert.True(run.Exit == 1, run.Output);
        Assert.Contains("lost", run.Results["summary"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains(run.History, o => o.IsNemesis && o.F == "promote" && o.IsInfo);
    }

    [IntegrationFact("postgres", "iptables")]
    public async Task Should_LoseNoAcknowledgedAdd_When_SyncReplicationAndPromotion()
    {
        // When the same failover happens with synchronous replication (and the primary is also killed)
        var run = await RunAsync("--workload", "set", "--replication", "sync", "--failover", "promote",
            "--nemesis", "partition,kill-primary", "--partition-shape", "primaries", "--nemesis-interval", "7", "--time-limit", "16", "--recovery-time", "2");

        // Then no acknowledged add is missing: commits blocked (info) while no standby could confirm them
        Assert.True(run.Exit == 0, run.Output);
        Assert.Contains(run.History, o => o.IsNemesis && o.F == "promote" && o.IsInfo);
    }

    [IntegrationFact("postgres", "iptables")]
    public async Task Should_StaySerializable_When_ListAppendRunsUnderPartitionsAndKills()
    {
        var run = await RunAsync("--workload", "list-append", "--isolation", "serializable", "--nemesis", "partition,kill",
            "--nemesis-interval", "3", "--time-limit", "12", "--concurrency", "6", "--recovery-time", "2");
        Assert.True(run.Exit == 0, run.Output);
        Assert.Contains(run.History, o => o.IsNemesis && o.F is "kill" or "start-partition");
    }

    [IntegrationFact("postgres", "iptables")]
    public async Task Should_ShowOnlyAnomaliesReadCommittedAllows_When_ContendedAtReadCommitted()
    {
        var run = await RunAsync("--workload", "list-append", "--isolation", "read-committed", "--key-count", "3",
            "--rate", "0", "--time-limit", "10", "--concurrency", "10");

        // Then the run is valid for read committed, and the checker lists the anomalies read committed allows
        Assert.True(run.Exit == 0, run.Output);
        var listAppend = run.Results["children"]!.AsArray().Single(c => c!["checker"]!.GetValue<string>() == "list-append")!;
        Assert.Contains("anomalies the model allows", listAppend["summary"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
