using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Docker.DotNet;
using Docker.DotNet.Models;
using Harness.Cli;
using Harness.Core.Control;
using Harness.Provisioning.Docker;
using Harness.Testing;
using Xunit.Abstractions;

namespace Harness.Integration.Tests;

/// <summary>
/// `harness cleanup` for a docker run killed with kill -9: a real `harness test postgres --provisioner docker` in a
/// child process (a private dockerd, three containers, PostgreSQL), its marker in /run/harness, what it leaves on
/// the machine, and that cleanup removes exactly that, once.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed partial class DockerCleanupTests(ITestOutputHelper log)
{
    [IntegrationFact("dockerd", "iptables", "nsenter")]
    public async Task Should_RemoveExactlyWhatTheRunLeft_When_ADockerRunIsKilledMidRun()
    {
        var results = Directory.CreateTempSubdirectory("harness-docker-cleanup-").FullName;
        var before = await DockerSnapshot.TakeAsync();
        var machine = await MachineSnapshot.TakeAsync();
        // the cached image, named with --image (the same image the run would pick by itself)
        var image = DockerImages.LocalTag(["postgresql-15"]);
        using var child = StartHarness("test", "postgres", "--provisioner", "docker", "--image", image, "--workload", "register",
            "--nemesis", "partition", "--nemesis-interval", "2", "--time-limit", "120", "--results", results, "--plain");
        try
        {
            // Given a docker run in its main phase (ops in its history), with its daemon, containers and servers recorded
            var (path, marker) = await WaitForAsync(() => RunLedger.ReadAll().FirstOrDefault(m => m.Marker.HarnessPid == child.Id),
                m => m.Marker is { Provisioner: "docker" } mk && mk.Resources.Count(r => r.Kind == "container") == 3, TimeSpan.FromSeconds(180), "the run's marker");
            await WaitForAsync(() => HistoryLength(results), n => n > 2000, TimeSpan.FromSeconds(120), "operations in the history");
            var id = marker.RunId;
            marker = RunLedger.Read(path)!;
            var endpoint = new Uri(Assert.Single(marker.Resources, r => r.Kind == "docker-endpoint").Name);
            var daemonPid = int.Parse(Assert.Single(marker.Resources, r => r.Kind == "dockerd").Name, CultureInfo.InvariantCulture);
            Assert.Contains(new RunResource("iptables", $"FORWARD -i hd{id} -o hd{id} -j ACCEPT -m comment --comment harness-{id}"), marker.Resources);

            // When the harness is killed with kill -9
            Assert.Equal(0, Syscalls.Kill(child.Id, 9));
            await child.WaitForExitAsync();

            // Then the run stays behind: its dockerd, containers (with their servers), network, bridges, rule, exec root
            var containerPids = await ContainerPidsAsync(endpoint, id);
            Assert.Equal(3, containerPids.Count);
            var servers = containerPids.SelectMany(p => Descendants(p)).ToList();
            Assert.True(servers.Count >= 3, $"{servers.Count} processes in the containers");
            var left = await DockerSnapshot.NewSinceAsync(before);
            log.WriteLine($"left behind: {string.Join("; ", left)}");
            Assert.Contains($"link hk{id}", left);
            Assert.Contains($"link hd{id}", left);
            Assert.Contains($"dir {DockerDaemon.RunRoot}/{id}", left);
            Assert.Contains(left, l => l.StartsWith($"rule -A FORWARD -i hd{id}", StringComparison.Ordinal));
            Assert.Contains(left, l => l.StartsWith($"process {daemonPid} dockerd ", StringComparison.Ordinal));
            Assert.Equal(3, left.Count(l => l.StartsWith("container ", StringComparison.Ordinal)));

            // And the next test warns, in one line, before it provisions anything
            using (var testOut = new StringWriter())
            using (var testErr = new StringWriter())
            {
                await CliApp.RunAsync(["test", "memory", "--time-limit", "0.5", "--recovery-time", "0", "--results", results, "--plain"], testOut, testErr);
                Assert.Matches(WarningLine(), testErr.ToString());
            }

            // When cleanup runs with --dry-run, it lists the run and removes nothing
            var (exit, output) = await CleanupAsync("--dry-run");
            log.WriteLine(output);
            Assert.Equal(0, exit);
            Assert.Contains($"{id} (docker, harness pid {child.Id}, started ", output, StringComparison.Ordinal);
            Assert.Contains($"killed): would remove 3 containers, network harness-{id}, dockerd {daemonPid}, 2 bridges, FORWARD rule, directory {DockerDaemon.RunRoot}/{id}", output, StringComparison.Ordinal);
            Assert.Equal(left, await DockerSnapshot.NewSinceAsync(before));
            Assert.True(File.Exists(path));

            // When cleanup runs
            var clock = Stopwatch.StartNew();
            (exit, output) = await CleanupAsync();
            log.WriteLine($"cleanup took {clock.Elapsed.TotalSeconds:0.00} s:\n{output}");

            // Then it names what it removed, and nothing of the run is left: no container, network, server, dockerd,
            // containerd, shim, bridge, rule, mount, exec root or marker
            Assert.Equal(0, exit);
            Assert.Matches($@"{id} \(docker, harness pid {child.Id}, started [^)]*, killed\): removed 3 containers, network harness-{id}, dockerd {daemonPid}, 2 bridges, FORWARD rule, directory ", output);
            Assert.Empty(await DockerSnapshot.NewSinceAsync(before));
            // (of the whole machine's harness items only this run's count: other developers' netns runs may start meanwhile)
            Assert.DoesNotContain(await MachineSnapshot.NewSinceAsync(machine), i => i.Contains(id, StringComparison.Ordinal));
            Assert.All(servers, pid => Assert.False(HostAlive(pid), $"process {pid} still runs"));
            Assert.False(HostAlive(daemonPid));
            Assert.False(File.Exists(path));

            // And a second cleanup finds nothing of it
            (exit, output) = await CleanupAsync();
            Assert.Equal(0, exit);
            Assert.DoesNotContain(id, output, StringComparison.Ordinal);
        }
        finally
        {
            await HarnessChild.KillAndCleanAsync(child);
            Directory.Delete(results, recursive: true);
        }
    }

    [IntegrationFact("dockerd", "iptables", "nsenter")]
    public async Task Should_RemoveTheContainersTheDaemonKept_When_TheHarnessAndItsPrivateDockerdAreBothKilled()
    {
        var results = Directory.CreateTempSubdirectory("harness-docker-cleanup-").FullName;
        var before = await DockerSnapshot.TakeAsync();
        using var child = StartHarness("test", "postgres", "--provisioner", "docker", "--workload", "register",
            "--time-limit", "120", "--results", results, "--plain");
        try
        {
            // Given a docker run in its main phase
            var (path, marker) = await WaitForAsync(() => RunLedger.ReadAll().FirstOrDefault(m => m.Marker.HarnessPid == child.Id),
                m => m.Marker is { Provisioner: "docker" } mk && mk.Resources.Count(r => r.Kind == "container") == 3, TimeSpan.FromSeconds(180), "the run's marker");
            await WaitForAsync(() => HistoryLength(results), n => n > 2000, TimeSpan.FromSeconds(120), "operations in the history");
            marker = RunLedger.Read(path)!;
            var id = marker.RunId;
            var daemonPid = int.Parse(Assert.Single(marker.Resources, r => r.Kind == "dockerd").Name, CultureInfo.InvariantCulture);
            var containerPids = await ContainerPidsAsync(new Uri(Assert.Single(marker.Resources, r => r.Kind == "docker-endpoint").Name), id);
            var servers = containerPids.Concat(containerPids.SelectMany(Descendants)).ToList();

            // When the harness and then its private dockerd are killed with kill -9
            Assert.Equal(0, Syscalls.Kill(child.Id, 9));
            await child.WaitForExitAsync();
            Assert.Equal(0, Syscalls.Kill(daemonPid, 9));
            await WaitForAsync(() => HostAlive(daemonPid), alive => !alive, TimeSpan.FromSeconds(10), "the daemon's death");

            // Then cleanup finds what the dead daemon left (its containerd, shims and containers' processes, the
            // containers kept in its data root) and removes all of it, through a daemon of its own on that data root
            var (exit, output) = await CleanupAsync("--dry-run");
            log.WriteLine(output);
            Assert.Contains($"killed): would remove 3 containers, ", output, StringComparison.Ordinal);
            Assert.Matches(@"would remove 3 containers, \d+ processes, 2 bridges, FORWARD rule, ", output);
            (exit, output) = await CleanupAsync();
            log.WriteLine(output);
            Assert.Equal(0, exit);
            Assert.Matches($@"{id} \(docker, harness pid {child.Id}, started [^)]*, killed\): removed 3 containers, \d+ processes, 2 bridges, FORWARD rule, ", output);
            Assert.Empty(await DockerSnapshot.NewSinceAsync(before));
            Assert.All(servers, pid => Assert.False(HostAlive(pid), $"process {pid} still runs"));
            Assert.False(File.Exists(path));
        }
        finally
        {
            await HarnessChild.KillAndCleanAsync(child);
            Directory.Delete(results, recursive: true);
        }
    }

    [IntegrationFact("dockerd", "iptables", "nsenter")]
    public async Task Should_RemoveOnlyTheRunsContainersAndNetwork_When_ARunOnAnExistingDaemonIsKilled()
    {
        // Given a Docker daemon that is not the harness's (started here, as a user would, with a bridge of its own)
        // holding a container of someone else, on the image cache's data root (its lock held, so no private
        // daemon of the harness uses it meanwhile)
        var before = await DockerSnapshot.TakeAsync();
        var results = Directory.CreateTempSubdirectory("harness-docker-cleanup-").FullName;
        var hex = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(2));
        var dockerd = await UserDockerd.StartAsync();
        var socket = dockerd.Socket;
        using var client = new DockerClientBuilder().WithEndpoint(new Uri(socket)).Build();
        Process? child = null;
        string? other = null;
        try
        {
            other = (await client.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Image = DockerImages.LocalTag(["postgresql-15"]), Cmd = ["sleep", "infinity"], Name = $"someone-else-{hex}",
                Labels = new Dictionary<string, string> { [DockerCluster.RunLabel] = "0000" },
            })).ID;

            // And a docker run on it (DOCKER_HOST), killed with kill -9 in its main phase
            child = StartHarness(new Dictionary<string, string> { ["DOCKER_HOST"] = socket }, "test", "postgres", "--provisioner", "docker",
                "--workload", "register", "--time-limit", "120", "--results", results, "--plain");
            var (path, marker) = await WaitForAsync(() => RunLedger.ReadAll().FirstOrDefault(m => m.Marker.HarnessPid == child.Id),
                m => m.Marker is { Provisioner: "docker" } mk && mk.Resources.Count(r => r.Kind == "container") == 3, TimeSpan.FromSeconds(180), "the run's marker");
            await WaitForAsync(() => HistoryLength(results), n => n > 2000, TimeSpan.FromSeconds(120), "operations in the history");
            Assert.Equal(0, Syscalls.Kill(child.Id, 9));
            await child.WaitForExitAsync();
            marker = RunLedger.Read(path)!;
            var id = marker.RunId;
            Assert.Equal(socket, Assert.Single(marker.Resources, r => r.Kind == "docker-endpoint").Name);
            Assert.DoesNotContain(marker.Resources, r => r.Kind == "dockerd");

            // When cleanup runs
            var (exit, output) = await CleanupAsync("--dry-run");
            log.WriteLine(output);
            Assert.Contains($"{id} (docker, harness pid {child.Id}, started ", output, StringComparison.Ordinal);
            Assert.Contains($"killed): would remove 3 containers, network harness-{id}, bridge hd{id}, FORWARD rule", output, StringComparison.Ordinal);
            (exit, output) = await CleanupAsync();
            log.WriteLine(output);

            // Then the run's containers, network and rule are gone through that daemon, and nothing else of it:
            // the daemon still runs and answers, with the other container and its own bridge
            Assert.Equal(0, exit);
            Assert.Contains($"killed): removed 3 containers, network harness-{id}, bridge hd{id}, FORWARD rule", output, StringComparison.Ordinal);
            Assert.Empty(await ContainerPidsAsync(new Uri(socket), id));
            Assert.True(HostAlive(dockerd.Pid));
            Assert.True(await DockerDaemon.AnswersAsync(new Uri(socket), CancellationToken.None));
            Assert.Equal(other, Assert.Single(await client.Containers.ListContainersAsync(new ContainersListParameters { All = true })).ID);
            Assert.DoesNotContain((await client.Networks.ListNetworksAsync()).Select(n => n.Name), n => n.StartsWith("harness-", StringComparison.Ordinal));
            Assert.True(Directory.Exists($"/sys/class/net/{dockerd.Bridge}"));
            Assert.False(File.Exists(path));
        }
        finally
        {
            if (child is { HasExited: false })
            {
                Syscalls.Kill(child.Id, 9);
                await child.WaitForExitAsync();
            }
            if (child is not null && RunLedger.ReadAll().Any(m => m.Marker.HarnessPid == child.Id)) await CleanupAsync();
            child?.Dispose();
            if (other is not null) await client.Containers.RemoveContainerAsync(other, new ContainerRemoveParameters { Force = true });
            await dockerd.DisposeAsync();
            Directory.Delete(results, recursive: true);
        }
        // And the machine is as before (the test's own daemon stopped)
        Assert.Empty(await DockerSnapshot.NewSinceAsync(before));
    }

    private static async Task RunAsync(string file, params string[] args)
    {
        using var p = Process.Start(file, args);
        await p.WaitForExitAsync();
    }

    [GeneratedRegex(@"^harness: warning: \d+ killed runs? left resources behind \(containers, networks, private dockerd, links, iptables rules, directories\); run 'harness cleanup'$", RegexOptions.Multiline)]
    private static partial Regex WarningLine();

    /// <summary>The host PIDs of the run's containers' init processes, from the daemon the run left.</summary>
    private static async Task<List<int>> ContainerPidsAsync(Uri endpoint, string id)
    {
        using var client = new DockerClientBuilder().WithEndpoint(endpoint).Build();
        var filter = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{DockerCluster.RunLabel}={id}"] = true } };
        var pids = new List<int>();
        foreach (var c in await client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = filter }))
            pids.Add((int)((await client.Containers.InspectContainerAsync(c.ID)).State?.Pid ?? 0));
        return pids;
    }

    private static List<int> Descendants(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var ppid = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                if (!children.TryGetValue(ppid, out var list)) children[ppid] = list = [];
                list.Add(pid);
            }
            catch (IOException) { }
        }
        var all = new List<int>();
        var todo = new Queue<int>([root]);
        while (todo.TryDequeue(out var p))
            foreach (var c in children.GetValueOrDefault(p) ?? [])
            {
                all.Add(c);
                todo.Enqueue(c);
            }
        return all;
    }

    /// <summary>True while the process exists and is not a zombie.</summary>
    private static bool HostAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static long HistoryLength(string results) =>
        Directory.EnumerateFiles(results, "history.jsonl", SearchOption.AllDirectories).Select(f => new FileInfo(f).Length).DefaultIfEmpty(0).Max();

    /// <summary>The CLI in a child process, without .NET's diagnostic files.</summary>
    private static Process StartHarness(params string[] args) => StartHarness(new Dictionary<string, string>(), args);

    private static Process StartHarness(Dictionary<string, string> environment, params string[] args) =>
        HarnessChild.Start(args, new Dictionary<string, string>(environment) { ["DOTNET_EnableDiagnostics"] = "0" });

    private static Task<(int Exit, string Output)> CleanupAsync(params string[] args) => HarnessChild.CleanupAsync(args);

    private static async Task<T> WaitForAsync<T>(Func<T> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = probe();
            if (done(value)) return value;
            if (clock.Elapsed > timeout) throw new TimeoutException($"no {what} after {timeout.TotalSeconds} s");
            await Task.Delay(100);
        }
    }
}
