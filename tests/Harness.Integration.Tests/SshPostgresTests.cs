using Harness.Testing;

namespace Harness.Integration.Tests;

/// <summary>
/// The PostgreSQL adapter, unchanged, on real hosts over SSH (the sandbox's three OpenSSH servers): the same CLI
/// runs and assertions as the netns experiments (<see cref="PostgresExperimentTests"/>, <see
/// cref="PostgresEndToEndTests"/>) with the sandbox's <c>--provisioner ssh</c> options, each followed by a check that
/// nothing of the run is left on the hosts (process, HARNESS chain, run directory, marker).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SshPostgresTests(SshSandbox sandbox) : IClassFixture<SshSandbox>
{
    private async Task<CliRun> RunAsync(params string[] args)
    {
        var run = await PostgresExperimentTests.RunAsync([.. sandbox.Options, .. args]);
        Assert.Empty(await sandbox.LeftoversAsync());
        return run;
    }

    [IntegrationFact("postgres", "iptables")]
    public async Task Should_StayLinearizable_When_RegisterRunsUnderPartitionsOverSsh()
    {
        // When a register test runs on the three hosts with partitions (iptables on the hosts themselves)
        var run = await RunAsync("--workload", "register", "--nemesis", "partition", "--time-limit", "10", "--nemesis-interval", "3", "--recovery-time", "2");

        // Then it is valid (reads and writes go to the primary), with partitions and acknowledged writes in the history
        Assert.True(run.Exit == 0, run.Output);
        Assert.Contains(run.History, o => o.IsNemesis && o.F == "start-partition" && o.IsInfo);
        Assert.Contains(run.History, o => o.IsOk && o.F == "write");
        Assert.Contains("hosts over SSH", run.Output, StringComparison.Ordinal);
    }

    [IntegrationFact("postgres", "iptables")]
    public async Task Should_LoseNoAcknowledgedAdd_When_SyncReplicationAndThePrimaryIsKilledAndReplacedOverSsh()
    {
        // When the primary is killed (its process tree signalled through its handle over SSH) and a standby promoted
        var run = await RunAsync("--workload", "set", "--replication", "sync", "--failover", "promote",
            "--nemesis", "kill-primary", "--nemesis-interval", "5", "--time-limit", "14", "--recovery-time", "2");

        // Then no acknowledged add is missing, and the kill and the promotion are in the history
        Assert.True(run.Exit == 0, run.Output);
        Assert.Contains(run.History, o => o.IsNemesis && o.F == "promote" && o.IsInfo);
        Assert.Contains(run.History, o => o.IsNemesis && o.F == "kill-primary" && o.IsInfo);
    }
}
