using Harness.Testing;

namespace Harness.Integration.Tests;

/// <summary>
/// The PostgreSQL adapter, unchanged, on containers: the same CLI runs as the netns experiments
/// (<see cref="PostgresExperimentTests.RunAsync"/>) with <c>--provisioner docker</c>, one per fault kind, each
/// followed by a check that no container, network, rule, mount or dockerd of the run is left.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DockerPostgresTests
{
    private static async Task<CliRun> RunAsync(params string[] args)
    {
        var before = await DockerSnapshot.TakeAsync();
        var run = await PostgresExperimentTests.RunAsync(["--provisioner", "docker", .. args]);
        Assert.Empty(await DockerSnapshot.NewSinceAsync(before));
        return run;
    }

    [IntegrationFact("dockerd", "iptables", "nsenter")]
    public async Task Should_StayLinearizable_When_RegisterRunsUnderPartitionsOnContainers()
    {
        var run = await RunAsync("--workload", "register", "--nemesis", "partition", "--time-limit", "10", "--nemesis-interval", "3", "--recovery-time", "2");
        Assert.True(run.Exit == 0, run.Output);
        Assert.Contains(run.History, o => o.IsNemesis && o.F == "start-partition" && o.IsInfo);
        Assert.Contains(run.History, o => o.IsOk && o.F == "write");
    }

    [IntegrationFact("dockerd", "iptables", "nsenter")]
    public async Task Should_StaySerializable_When_ListAppendRunsUnderKillsOnContainers()
    {
        var run = await RunAsync("--workload", "list-append", "--isolation", "serializable", "--nemesis", "kill",
            "--nemesis-interval", "3", "--time-limit", "10", "--concurrency", "6", "--recovery-time", "2");
        Assert.True(run.Exit == 0, run.Output);
        Assert.Contains(run.History, o => o.IsNemesis && o.F == "kill" && o.IsInfo);
        Assert.Contains(run.History, o => o.IsOk && o.F == "txn");
    }

    [IntegrationFact("dockerd", "iptables", "nsenter")]
    public async Task Should_StayLinearizable_When_ServersArePausedOnContainers()
    {
        var run = await RunAsync("--workload", "register", "--nemesis", "pause", "--time-limit", "10", "--nemesis-interval", "3", "--recovery-time", "2");
        Assert.True(run.Exit == 0, run.Output);
        Assert.Contains(run.History, o => o.IsNemesis && o.F == "pause" && o.IsInfo);
    }

    [IntegrationFact("dockerd", "iptables", "nsenter")]
    public async Task Should_LoseNoAcknowledgedAdd_When_SyncReplicationAndPromotionOnContainers()
    {
        var run = await RunAsync("--workload", "set", "--replication", "sync", "--failover", "promote",
            "--nemesis", "partition,kill-primary", "--partition-shape", "primaries", "--nemesis-interval", "7", "--time-limit", "16", "--recovery-time", "2");
        Assert.True(run.Exit == 0, run.Output);
        Assert.Contains(run.History, o => o.IsNemesis && o.F == "promote" && o.IsInfo);
    }

    [IntegrationFact("dockerd", "iptables", "nsenter")]
    public async Task Should_StayLinearizable_When_PacketsAreLostOnContainers()
    {
        var run = await RunAsync("--workload", "register", "--nemesis", "loss", "--loss-probability", "0.3", "--time-limit", "10", "--nemesis-interval", "3", "--recovery-time", "2");
        Assert.True(run.Exit == 0, run.Output);
        Assert.Contains(run.History, o => o.IsNemesis && o.F == "start-loss" && o.IsInfo);
    }
}
