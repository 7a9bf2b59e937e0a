using Harness.Testing;
using Xunit.Abstractions;

namespace Harness.Integration.Tests;

/// <summary>
/// etcd 3.4 on a real 3-node cluster, through the CLI. Expected outcomes from etcd's documentation, "KV API
/// guarantees" (https://etcd.io/docs/v3.4/learning/api_guarantees/): every operation is linearizable by default
/// ("Linearizability ... is the default for etcd requests"), an acknowledged write is durable (committed by a
/// quorum), and serializable reads ("--consistency=s") may be stale: they are served by the member the client
/// talks to, without consensus.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class EtcdTests(ITestOutputHelper output)
{
    private async Task<KvRun> RunAsync(params string[] args)
    {
        await Capabilities.RequireAsync("ip", "iptables", "etcd");
        var run = await KvRun.RunAsync("etcd", [.. args, "--seed", "11", "--recovery-time", "3"]);
        output.WriteLine($"exit {run.Exit} in {run.Elapsed.TotalSeconds:F1} s: {run.Summary}");
        output.WriteLine(run.Output);
        Assert.Empty(run.Leftovers);
        return run;
    }

    [IntegrationFact("etcd", "iptables")]
    public async Task Should_StayLinearizable_When_PartitionsKillsAndPausesHitLinearizableReads()
    {
        // When registers are read, written and compare-and-set while members are cut off, killed and paused
        var run = await RunAsync("--workload", "register", "--nemesis", "partition,kill,pause", "--partition-shape", "one,majority,bridge,majorities-ring",
            "--nemesis-interval", "2", "--time-limit", "14", "--key-count", "4");

        // Then every key's history is linearizable (api_guarantees: linearizable reads are etcd's default)
        Assert.True(run.Exit == 0, run.Output);
        Assert.Contains(run.History, o => o.IsNemesis && o.F is "kill" or "pause" or "start-partition" && o.IsInfo);
        Assert.Contains(run.History, o => o.IsOk && o.F == "cas");
    }

    [IntegrationFact("etcd", "iptables")]
    public async Task Should_LoseNoAcknowledgedWrite_When_TheLeaderIsKilledAndCutOff()
    {
        // When unique adds go to every member while the Raft leader is killed and, later, cut off from the others
        var run = await RunAsync("--workload", "set", "--nemesis", "kill-primary,partition", "--partition-shape", "primaries",
            "--nemesis-interval", "2", "--time-limit", "14");

        // Then the final read has every acknowledged add (api_guarantees: a write acknowledged is committed by a quorum)
        Assert.True(run.Exit == 0, run.Output);
        Assert.Contains(run.History, o => o.IsNemesis && o.F is "kill-primary" or "start-partition" && o.IsInfo);
        Assert.Contains(run.History, o => o.IsOk && o.F == "read" && o.Value is { Count: > 0 });
    }

    [IntegrationFact("etcd", "iptables")]
    public async Task Should_ReachAVerdict_When_SerializableReadsRunUnderPartitions()
    {
        // When registers are read with serializable reads (served by the member itself) while members are cut off
        // (a 1 s op timeout: a write sent to the cut-off member just before it notices it has lost the leader waits
        // for the deadline, and its client reads nothing meanwhile)
        var run = await RunAsync("--workload", "register", "--serializable-reads", "--nemesis", "partition", "--partition-shape", "one",
            "--nemesis-interval", "3", "--op-timeout", "1", "--time-limit", "14", "--key-count", "2");

        // Then the checker reaches a verdict. etcd does not promise linearizability here (api_guarantees: serializable
        // reads may be stale); on this machine a member cut off from the leader serves stale values and the verdict
        // is "not linearizable" in most runs (docs/etcd.md). The test reports what was found.
        Assert.True(run.Exit is 0 or 1, run.Output);
        output.WriteLine(run.Exit == 1 ? "found: stale serializable reads (not linearizable)" : "found: no stale read in this run");
        Assert.Contains(run.History, o => o.IsNemesis && o.F == "start-partition" && o.IsInfo);
    }
}
