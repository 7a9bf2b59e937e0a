using System.Diagnostics;
using Harness.Testing;
using Xunit.Abstractions;

namespace Harness.Integration.Tests;

/// <summary>
/// The MySQL/MariaDB adapter, unchanged, on containers: the MariaDB experiments of <see cref="MariaDbExperimentTests"/>
/// run as the same CLI commands with <c>--provisioner docker</c> and the same assertions (the image is built once
/// from the suite's packages: mariadb-server, mariadb-client; with Galera also galera-4 and rsync), each followed
/// by a check that no container, network, rule, mount or dockerd of the run is left.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DockerMariaDbTests(ITestOutputHelper output)
{
    private async Task<CliRun> RunAsync(params string[] args)
    {
        var before = await DockerSnapshot.TakeAsync();
        var clock = Stopwatch.StartNew();
        try
        {
            var run = await CliRun.RunAsync("mariadb", ["--provisioner", "docker", .. args, "--seed", "7"], nodeLog: "mariadb.log");
            output.WriteLine($"harness test mariadb --provisioner docker {string.Join(' ', args)}: exit {run.Exit} in {clock.Elapsed.TotalSeconds:F1} s\n{run.Output}");
            Assert.True(run.NodeLogCollected, "the node logs are collected");
            return run;
        }
        finally
        {
            // And nothing of the run is left: containers, network, bridges, rule, mounts, dockerd (its servers went with its containers)
            Assert.Empty(await DockerSnapshot.NewSinceAsync(before));
        }
    }

    /// <summary>As <see cref="MariaDbExperimentTests.Should_LoseAcknowledgedAdds_When_AsyncPrimaryIsCutOffAndAReplicaPromoted"/>
    /// (https://mariadb.com/kb/en/gtid/, https://mariadb.com/kb/en/semisynchronous-replication/): with asynchronous
    /// replication what a cut-off primary acknowledges is not on the replica promoted by GTID position.</summary>
    [IntegrationFact("dockerd", "iptables", "nsenter")]
    public async Task Should_LoseAcknowledgedAdds_When_AsyncPrimaryIsCutOffAndAReplicaPromotedOnContainers()
    {
        var run = await RunAsync("--workload", "set", "--replication", "async", "--failover", "promote",
            "--nemesis", "partition", "--partition-shape", "primaries", "--nemesis-interval", "6", "--time-limit", "14", "--recovery-time", "2");

        Assert.True(run.Exit == 1, run.Output);
        Assert.Contains("LOST", run.Checker("set")["summary"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(run.History, o => o.IsNemesis && o.F == "start-partition" && o.IsInfo);
        Assert.Contains(run.History, o => o.IsNemesis && o.F == "promote" && o.IsInfo);
    }

    /// <summary>As <see cref="MariaDbExperimentTests.Should_LoseNoAcknowledgedAdd_When_SemiSyncAfterSyncAndThePrimaryIsKilled"/>
    /// (https://mariadb.com/kb/en/semisynchronous-replication/): with AFTER_SYNC a commit is acknowledged only after a
    /// replica has it, so promoting the most advanced replica after the primary is killed loses nothing.</summary>
    [IntegrationFact("dockerd", "iptables", "nsenter")]
    public async Task Should_LoseNoAcknowledgedAdd_When_SemiSyncAfterSyncAndThePrimaryIsKilledOnContainers()
    {
        var run = await RunAsync("--workload", "set", "--replication", "semi-sync", "--semi-sync-wait", "after-sync", "--failover", "promote",
            "--nemesis", "kill-primary", "--nemesis-interval", "5", "--time-limit", "14", "--recovery-time", "2");

        Assert.True(run.Checker("set")["validity"]!.GetValue<string>().Equals("valid", StringComparison.OrdinalIgnoreCase), run.Output);
        Assert.Contains(run.History, o => o.IsNemesis && o.F == "kill-primary" && o.IsInfo);
        Assert.Contains(run.History, o => o.IsNemesis && o.F == "promote" && o.IsInfo);
        Assert.Contains(run.History, o => o.IsClient && o.IsOk && o.F == "add");
    }

    /// <summary>As <see cref="MariaDbExperimentTests.Should_ReachAVerdict_When_GaleraAtItsDefaultsTakesWritesOnEveryNode"/>
    /// (https://mariadb.com/kb/en/galera-cluster/): the Galera image has galera-4; every node takes writes, and the
    /// verdict at wsrep_sync_wait = 0 is reported, not prescribed.</summary>
    [IntegrationFact("dockerd", "iptables", "nsenter")]
    public async Task Should_ReachAVerdict_When_GaleraTakesWritesOnEveryNodeOnContainers()
    {
        var run = await RunAsync("--topology", "galera", "--workload", "register", "--time-limit", "8", "--rate", "0",
            "--concurrency", "6", "--key-count", "3");

        Assert.True(run.Exit is 0 or 1, run.Output);
        Assert.Equal(3, run.History.Where(o => o.IsClient && o.IsOk && o.F == "write").Select(o => o.Node).Distinct().Count());
        output.WriteLine($"galera verdict on containers: {run.Results["validity"]}: {run.Results["summary"]}");
    }
}
