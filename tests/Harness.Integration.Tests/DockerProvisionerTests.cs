using Harness.Cli;
using Harness.Core.Control;
using Harness.Provisioning.Docker;
using Harness.Testing;

namespace Harness.Integration.Tests;

/// <summary>The docker provisioner's node boundary on real containers (a private dockerd when none answers).</summary>
[Collection(ClusterCollection.Name)]
public sealed class DockerProvisionerTests
{
    [IntegrationFact("dockerd", "iptables", "nsenter")]
    public async Task Should_RunCommandsServersAndFiles_AndLeaveNothing_When_ContainersAreProvisioned()
    {
        var before = await DockerSnapshot.TakeAsync();
        var provisioner = new DockerProvisioner(TextWriter.Null);
        var spec = new ClusterSpec(3, ["postgresql-15"], "docker-test");
        await provisioner.PreflightAsync(spec, CancellationToken.None);
        var cluster = (DockerCluster)await provisioner.ProvisionAsync(spec, CancellationToken.None);
        try
        {
            Assert.Equal(["n1", "n2", "n3"], cluster.Nodes.Select(n => n.Name));
            Assert.Equal($"10.78.{cluster.Subnet}.0/24", Assert.Single(cluster.ClientNetworks));
            var n1 = cluster.Remote(cluster.Nodes[0]);

            // Commands: stdout and stderr apart, the exit code, stdin
            var r = await n1.ExecAsync(["sh", "-c", "echo out; echo err >&2; exit 3"], CancellationToken.None);
            Assert.Equal((3, "out\n", "err\n"), (r.ExitCode, r.Stdout, r.Stderr));
            Assert.Equal("abc", (await n1.ExecAsync(["cat"], CancellationToken.None, "abc")).Stdout);
            Assert.Equal("n1\n", (await n1.ExecAsync(["hostname"], CancellationToken.None)).Stdout);
            // The node's network: its own address, no default route (nothing outside is reachable)
            var routes = (await n1.ExecAsync(["ip", "-4", "route"], CancellationToken.None)).Stdout;
            Assert.DoesNotContain("default", routes, StringComparison.Ordinal);
            Assert.Contains(cluster.Nodes[0].Address, (await n1.ExecAsync(["ip", "-4", "addr"], CancellationToken.None)).Stdout, StringComparison.Ordinal);

            // Files: write with an owner, read back, missing is null, download
            var file = $"{n1.Directory}/f.txt";
            await n1.WriteFileAsync(file, "hello\n", CancellationToken.None, "postgres");
            Assert.Equal("hello\n", await n1.ReadFileAsync(file, CancellationToken.None));
            Assert.Equal("postgres\n", (await n1.ExecAsync(["stat", "-c", "%U", file], CancellationToken.None)).Stdout);
            Assert.Null(await n1.ReadFileAsync($"{n1.Directory}/missing", CancellationToken.None));
            var local = Path.GetTempFileName();
            await n1.DownloadAsync(file, local, CancellationToken.None);
            Assert.Equal("hello\n", await File.ReadAllTextAsync(local));
            File.Delete(local);

            // A server with a child: stop, continue and kill reach the whole tree
            var server = await n1.StartAsync(new ServerSpec(["sh", "-c", "sleep 1000 & sleep 1001; wait"], $"{n1.LogDirectory}/s.log") { User = "postgres" }, CancellationToken.None);
            await Task.Delay(300);
            Assert.False(server.HasExited);
            await server.SignalAsync(ProcessSignal.Stop, withChildren: true, CancellationToken.None);
            var states = (await n1.ExecAsync(["ps", "-o", "stat=,args=", "-u", "postgres"], CancellationToken.None)).Stdout;
            Assert.Equal(3, states.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.TrimStart().StartsWith('T')));
            await server.SignalAsync(ProcessSignal.Cont, withChildren: true, CancellationToken.None);
            await server.SignalAsync(ProcessSignal.Kill, withChildren: true, CancellationToken.None);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await server.WaitForExitAsync(cts.Token);
            Assert.True(server.HasExited);
            Assert.Equal("", (await n1.ExecAsync(["ps", "-o", "pid=", "-u", "postgres"], CancellationToken.None)).Stdout.Trim());
            await server.DisposeAsync();
        }
        finally
        {
            await cluster.DisposeAsync();
        }
        Assert.Empty(await DockerSnapshot.NewSinceAsync(before));
    }

    [IntegrationFact("dockerd")]
    public async Task Should_ExitBadInput_When_DockerHostDoesNotAnswer()
    {
        var before = await DockerSnapshot.TakeAsync();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Environment.SetEnvironmentVariable("DOCKER_HOST", "unix:///tmp/harness-no-such-daemon.sock");
        int exit;
        try
        {
            exit = await CliApp.RunAsync(["test", "postgres", "--provisioner", "docker", "--time-limit", "5", "--results", Path.GetTempPath(), "--plain"], stdout, stderr);
        }
        finally
        {
            Environment.SetEnvironmentVariable("DOCKER_HOST", null);
        }
        Assert.True(exit == 254, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.Contains("no Docker daemon answers at DOCKER_HOST=unix:///tmp/harness-no-such-daemon.sock", stderr.ToString(), StringComparison.Ordinal);
        Assert.Empty(await DockerSnapshot.NewSinceAsync(before));
    }

    [IntegrationFact("dockerd")]
    public async Task Should_ExitBadInputWithOneLine_AndCreateNothing_When_TheImageDoesNotExist()
    {
        // Given an image the daemon does not have (the private daemon is not running: its image store is read)
        var before = await DockerSnapshot.TakeAsync();
        var results = Directory.CreateTempSubdirectory("harness-docker-image-").FullName;
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        // When a docker test names it
        var exit = await CliApp.RunAsync(["test", "postgres", "--provisioner", "docker", "--image", "harness-node:no-such-tag",
            "--time-limit", "5", "--results", results, "--plain"], stdout, stderr);

        // Then one line says so and how to fix it, exit 254, and nothing was made: no run directory, daemon, bridge, marker
        try
        {
            Assert.True(exit == 254, $"exit {exit}\n{stdout}\n{stderr}");
            var line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("harness: --image harness-node:no-such-tag: no such image in the private dockerd's image store (", line, StringComparison.Ordinal);
            Assert.Contains("or leave --image out", line, StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFileSystemEntries(results));
            Assert.Empty(await DockerSnapshot.NewSinceAsync(before));
            Assert.DoesNotContain(RunLedger.ReadAll(), m => m.Marker.Provisioner == "docker");
        }
        finally
        {
            Directory.Delete(results, recursive: true);
        }
    }

    [Fact]
    public void Should_FindTaggedNamesAndIds_When_TheDataRootsImageStoreIsRead()
    {
        // Given a data root whose image store has one tagged image
        var root = Directory.CreateTempSubdirectory("harness-dataroot-").FullName;
        var id = new string('a', 64);
        Directory.CreateDirectory(Path.Combine(root, "image", "overlay2", "imagedb", "content", "sha256"));
        File.WriteAllText(Path.Combine(root, "image", "overlay2", "imagedb", "content", "sha256", id), "{}");
        File.WriteAllText(Path.Combine(root, "image", "overlay2", "repositories.json"),
            """{"Repositories":{"harness-node":{"harness-node:2ab7dca25aeb":"sha256:ID"},"postgres":{"postgres:15":"sha256:ID","postgres:latest":"sha256:ID"}}}""".Replace("ID", id, StringComparison.Ordinal));
        try
        {
            // Then names with a tag, without one (latest), with docker.io's prefix, and IDs are found; others not
            Assert.True(DockerImages.InDataRoot(root, "harness-node:2ab7dca25aeb"));
            Assert.True(DockerImages.InDataRoot(root, "postgres"));
            Assert.True(DockerImages.InDataRoot(root, "docker.io/library/postgres:15"));
            Assert.True(DockerImages.InDataRoot(root, "aaaaaaaaaaaa"));
            Assert.False(DockerImages.InDataRoot(root, "harness-node"));
            Assert.False(DockerImages.InDataRoot(root, "postgres:16"));
            Assert.False(DockerImages.InDataRoot(root, "bbbbbbbbbbbb"));
            Assert.False(DockerImages.InDataRoot(Path.Combine(root, "none"), "postgres:15"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
