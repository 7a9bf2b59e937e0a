using Docker.DotNet;
using Docker.DotNet.Models;
using Harness.Core.Histories;
using Harness.Provisioning;
using Harness.Provisioning.Docker;
using Harness.Testing;
using Xunit.Abstractions;

namespace Harness.Integration.Tests;

/// <summary>
/// The docker provisioner as most users run it: not root, on a Docker daemon they may use (DOCKER_HOST). The harness
/// then writes no marker, adds no host rule, and signals and faults act through the Docker API (exec) instead of
/// host PIDs and nsenter.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DockerNonRootTests(ITestOutputHelper log)
{
    [IntegrationFact("dockerd", "iptables", "setpriv")]
    public async Task Should_RunTheTestWithFaultsAndLeaveNothing_When_NotRootOnADaemonTheUserMayUse()
    {
        // Given a daemon that is not the harness's, whose socket the user nobody may use, holding the node image
        // (built as root beforehand, as docs/docker.md says a user without root needs)
        var before = await DockerSnapshot.TakeAsync();
        var image = DockerImages.LocalTag(["postgresql-15"]);
        await using (var root = await UserDockerd.StartAsync())
        {
            using var rootClient = new DockerClientBuilder().WithEndpoint(new Uri(root.Socket)).Build();
            if (!await DockerImages.HasAsync(rootClient, image, CancellationToken.None))
                await DockerImages.EnsureAsync(rootClient, ["postgresql-15"], null, null, new StringWriter(), CancellationToken.None);
        }
        var results = Directory.CreateTempSubdirectory("harness-docker-nonroot-").FullName;
        await HostCommand.RunCheckedAsync(["chmod", "777", results], CancellationToken.None);
        // the test's daemon manages no iptables; a user's usual daemon accepts traffic between a network's containers
        string[] forward = ["FORWARD", "-i", "hd+", "-o", "hd+", "-m", "comment", "--comment", "harness-test-nonroot", "-j", "ACCEPT"];
        await HostCommand.RunCheckedAsync(["iptables", "-I", .. forward], CancellationToken.None);
        await using var dockerd = await UserDockerd.StartAsync();
        try
        {
            await HostCommand.RunCheckedAsync(["chown", "nobody", dockerd.Socket["unix://".Length..]], CancellationToken.None);

            // When nobody runs a PostgreSQL register test there with partitions and kills, one after the other
            var (exit, output) = await HarnessChild.RunAsync(["test", "postgres", "--provisioner", "docker", "--workload", "register",
                "--nemesis", "partition,kill", "--nemesis-interval", "2", "--time-limit", "10", "--recovery-time", "2", "--results", results, "--plain", "--seed", "7"],
                new Dictionary<string, string> { ["DOCKER_HOST"] = dockerd.Socket }, user: "nobody");
            log.WriteLine(output);

            // Then it is valid as on root's nodes (reads and writes go to the primary, linearizable on one server:
            // https://www.postgresql.org/docs/15/transaction-iso.html), with both faults injected through exec
            Assert.True(exit == 0, output);
            var file = Directory.EnumerateFiles(results, "history.jsonl", SearchOption.AllDirectories).Single(f => !f.Contains("/latest/", StringComparison.Ordinal));
            var history = HistoryJson.ReadFile(file);
            Assert.Contains(history, o => o.IsNemesis && o.F == "start-partition" && o.IsInfo);
            Assert.Contains(history, o => o.IsNemesis && o.F == "kill" && o.IsInfo);
            Assert.Contains(history, o => o.IsOk && o.F == "write");

            // And nothing of the run is left on the daemon: no container or network of the harness
            using var client = new DockerClientBuilder().WithEndpoint(new Uri(dockerd.Socket)).Build();
            Assert.Empty(await client.Containers.ListContainersAsync(new ContainersListParameters { All = true }));
            Assert.DoesNotContain((await client.Networks.ListNetworksAsync()).Select(n => n.Name), n => n.StartsWith("harness-", StringComparison.Ordinal));
        }
        finally
        {
            await HostCommand.RunCheckedAsync(["iptables", "-D", .. forward], CancellationToken.None);
            Directory.Delete(results, recursive: true);
        }
        await dockerd.DisposeAsync();
        Assert.Empty(await DockerSnapshot.NewSinceAsync(before));
    }
}
