using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Docker.DotNet;
using Docker.DotNet.Models;
using Harness.Provisioning.Docker;
using Harness.Testing;
using Xunit.Abstractions;

namespace Harness.Integration.Tests;

/// <summary>
/// An image the daemon lacks is pulled from the registry the reference names: a real registry (Debian's
/// docker-registry, the CNCF distribution registry) on 127.0.0.1 that the test pushes the node image to.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DockerPullTests(ITestOutputHelper log)
{
    [IntegrationFact("dockerd", "iptables", "nsenter", "docker-registry")]
    public async Task Should_PullTheImageAndRun_When_TheDaemonLacksItAndTheNamedRegistryHasIt()
    {
        var before = await DockerSnapshot.TakeAsync();
        var dir = Directory.CreateTempSubdirectory("harness-registry-").FullName;
        var port = FreePort();
        await File.WriteAllTextAsync(Path.Combine(dir, "config.yml"),
            $"version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {dir}/data\nhttp:\n  addr: 127.0.0.1:{port}\n");
        using var registry = Process.Start(new ProcessStartInfo("docker-registry", ["serve", Path.Combine(dir, "config.yml")])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
        registry.OutputDataReceived += (_, _) => { };
        registry.ErrorDataReceived += (_, _) => { };
        registry.BeginOutputReadLine();
        registry.BeginErrorReadLine();
        var dockerd = await UserDockerd.StartAsync();
        var repository = $"127.0.0.1:{port}/harness-pull-test";
        var pushed = $"{repository}:1";
        using var client = new DockerClientBuilder().WithEndpoint(new Uri(dockerd.Socket)).Build();
        try
        {
            // Given the node image in the registry only (pushed there, then untagged in the daemon)
            var local = DockerImages.LocalTag(["postgresql-15"]);
            if (!await DockerImages.HasAsync(client, local, CancellationToken.None))
                await DockerImages.EnsureAsync(client, ["postgresql-15"], null, null, new StringWriter(), CancellationToken.None);
            await client.Images.TagImageAsync(local, new ImageTagParameters { RepositoryName = repository, Tag = "1" });
            string? pushError = null;
            await client.Images.PushImageAsync(repository, new ImagePushParameters { Tag = "1" }, new AuthConfig(),
                new Progress<JSONMessage>(m => pushError ??= m.Error?.Message));
            Assert.True(pushError is null, pushError);
            await client.Images.DeleteImageAsync(pushed, new ImageDeleteParameters());
            Assert.False(await DockerImages.HasAsync(client, pushed, CancellationToken.None));

            // When a test names it with --image on that daemon
            var results = Path.Combine(dir, "results");
            var (exit, output) = await HarnessChild.RunAsync(["test", "postgres", "--provisioner", "docker", "--image", pushed, "--workload", "register",
                "--time-limit", "3", "--recovery-time", "0", "--results", results, "--plain"], new Dictionary<string, string> { ["DOCKER_HOST"] = dockerd.Socket });
            log.WriteLine(output);

            // Then the daemon pulled it (announced, with its time), and the test ran on it
            Assert.True(exit == 0, output);
            Assert.Contains($"harness: pulling {pushed} ...", output, StringComparison.Ordinal);
            Assert.Contains($"harness: pulled {pushed} in ", output, StringComparison.Ordinal);
            Assert.Contains($"3 containers of {pushed} on network", output, StringComparison.Ordinal);
            Assert.True(await DockerImages.HasAsync(client, pushed, CancellationToken.None));
        }
        finally
        {
            if (await DockerImages.HasAsync(client, pushed, CancellationToken.None))
                await client.Images.DeleteImageAsync(pushed, new ImageDeleteParameters());
            registry.Kill();
            await registry.WaitForExitAsync();
            await dockerd.DisposeAsync();
            Directory.Delete(dir, recursive: true);
        }
        Assert.Empty(await DockerSnapshot.NewSinceAsync(before));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
