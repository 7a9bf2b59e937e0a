using Harness.Testing;

namespace Harness.Integration.Tests;

/// <summary>
/// The MariaDB adapter, unchanged, on the sandbox's hosts over SSH: the partition experiment of <see
/// cref="MariaDbExperimentTests"/> with the same assertions, then a check that nothing is left on the hosts.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SshMariaDbTests(SshSandbox sandbox) : IClassFixture<SshSandbox>
{
    /// <summary>https://mariadb.com/kb/en/gtid/ and https://mariadb.com/kb/en/semisynchronous-replication/ : with
    /// asynchronous replication the primary does not wait for any replica, so what a cut-off primary acknowledges is
    /// not on the replica promoted by GTID position.</summary>
    [IntegrationFact("mariadbd", "iptables")]
    public async Task Should_LoseAcknowledgedAdds_When_AsyncPrimaryIsCutOffAndAReplicaPromotedOverSsh()
    {
        // When the primary host is cut off from its async replicas (iptables on the hosts) and a replica is promoted
        var run = await RunAsync("--workload", "set", "--replication", "async", "--failover", "promote",
            "--nemesis", "partition", "--partition-shape", "primaries", "--nemesis-interval", "6", "--time-limit", "14", "--recovery-time", "2", "--seed", "7");

        // Then acknowledged adds are lost, the promotion is in the history, and the node logs were downloaded
        Assert.True(run.Exit == 1, run.Output);
        Assert.Contains("LOST", run.Results.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains(run.History, o => o.IsNemesis && o.F == "promote" && o.IsInfo);
        Assert.True(run.NodeLogCollected, "the node logs are collected");
    }

    /// <summary>https://mariadb.com/kb/en/semisynchronous-replication/ : with rpl_semi_sync_master_wait_point =
    /// AFTER_SYNC a commit is acknowledged only after a replica has received it, so promoting the replica with the most
    /// GTIDs after the primary is killed loses no acknowledged write.</summary>
    [IntegrationFact("mariadbd", "iptables")]
    public async Task Should_LoseNoAcknowledgedAdd_When_SemiSyncAfterSyncAndThePrimaryIsKilledOverSsh()
    {
        // When the primary's server tree is killed through its handle over SSH and the most advanced replica promoted
        var run = await RunAsync("--workload", "set", "--replication", "semi-sync", "--semi-sync-wait", "after-sync", "--failover", "promote",
            "--nemesis", "kill-primary", "--nemesis-interval", "5", "--time-limit", "14", "--recovery-time", "2");

        // Then no acknowledged add is lost, and the kill and the promotion are in the history
        Assert.True(run.Checker("set")["validity"]!.GetValue<string>().Equals("valid", StringComparison.OrdinalIgnoreCase), run.Output);
        Assert.Contains(run.History, o => o.IsNemesis && o.F == "kill-primary" && o.IsInfo);
        Assert.Contains(run.History, o => o.IsNemesis && o.F == "promote" && o.IsInfo);
        Assert.Contains(run.History, o => o.IsClient && o.IsOk && o.F == "add");
    }

    /// <summary>A MariaDB test on the sandbox's hosts; checks afterwards that nothing of it is left on them.</summary>
    private async Task<CliRun> RunAsync(params string[] args)
    {
        await Capabilities.RequireAsync("ip", "iptables", "mariadbd");
        var run = await CliRun.RunAsync("mariadb", [.. args, .. sandbox.Options], nodeLog: "mariadb.log");
        Assert.Empty(await sandbox.LeftoversAsync());
        return run;
    }
}
