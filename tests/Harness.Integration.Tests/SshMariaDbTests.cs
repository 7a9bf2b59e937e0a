using System.Text.Json.Nodes;
using Harness.Cli;
using Harness.Core.Histories;
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
        await Capabilities.RequireAsync("ip", "iptables", "mariadbd");
        var results = Directory.CreateTempSubdirectory("harness-ssh-maria-").FullName;
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        // When the primary host is cut off from its async replicas (iptables on the hosts) and a replica is promoted
        var exit = await CliApp.RunAsync(["test", "mariadb", "--workload", "set", "--replication", "async", "--failover", "promote",
            "--nemesis", "partition", "--partition-shape", "primaries", "--nemesis-interval", "6", "--time-limit", "14", "--recovery-time", "2",
            "--results", results, "--plain", "--seed", "7", .. sandbox.Options], stdout, stderr);

        // Then acknowledged adds are lost, the promotion is in the history, and the node logs were downloaded
        var file = Directory.EnumerateFiles(results, "results.json", SearchOption.AllDirectories).Single(f => !f.Contains("/latest/", StringComparison.Ordinal));
        var dir = Path.GetDirectoryName(file)!; // a file path has a directory
        var verdict = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        var history = HistoryJson.ReadFile(Path.Combine(dir, "history.jsonl"));
        Assert.True(exit == 1, $"{stdout}\n{stderr}");
        Assert.Contains("LOST", verdict.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains(history, o => o.IsNemesis && o.F == "promote" && o.IsInfo);
        Assert.True(File.Exists(Path.Combine(dir, "logs", "n1", "mariadb.log")), "the node logs are collected");
        Directory.Delete(results, recursive: true);

        // And nothing of the run is left on the hosts
        Assert.Empty(await sandbox.LeftoversAsync());
    }
}
