using System.Diagnostics;
using System.Globalization;
using Harness.Cli;
using Harness.Core.Control;
using Harness.Provisioning;
using Harness.Provisioning.Ssh;
using Harness.Testing;
using Xunit.Abstractions;

namespace Harness.Integration.Tests;

/// <summary>
/// The SSH provisioner against the sandbox's real OpenSSH servers: argument vectors that survive the remote shell
/// exactly, files over SFTP, servers as signalable handles, partitions with iptables on the hosts, refusals in one
/// line, and `harness cleanup` after a kill -9 of the harness.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SshProvisionerTests(SshSandbox sandbox, ITestOutputHelper log) : IClassFixture<SshSandbox>
{
    /// <summary>Quotes, shell syntax, newlines, spaces, empty strings, a lone quote, unicode, a leading dash.</summary>
    public static readonly string[] Hostile =
    [
        "plain", "", " ", "two words", "'", "''", "\"", "it's", "a'b\"c", ";", "; rm -rf /tmp/never", "$(touch /tmp/harness-pwned)",
        "`touch /tmp/harness-pwned`", "$HOME", "${PATH}", "\\", "\\'", "line1\nline2", "\n", "\t", "*", "?", "[a-z]", "~", "&&", "|", ">x",
        "<x", "#comment", "-n", "--", "ünïcødé ✓ 日本", "emoji 🎉", "!", "!!", "%s", "\r\n", new string('x', 5000),
    ];

    private SshProvisioner Provisioner(params string[] hosts) => new(
        [.. hosts.Select(h => SshTarget.TryParse(h, 22, out _)!)],
        new SshSettings { KeyFiles = [sandbox.Key], KnownHostsFiles = [sandbox.KnownHosts] }, TextWriter.Null);

    private async Task<SshCluster> ProvisionAsync(int nodes)
    {
        var provisioner = Provisioner([.. sandbox.Addresses.Take(nodes)]);
        var spec = new ClusterSpec(nodes, [], "ssh-test");
        await provisioner.PreflightAsync(spec, CancellationToken.None);
        return (SshCluster)await provisioner.ProvisionAsync(spec, CancellationToken.None);
    }

    [IntegrationFact("iptables")]
    public async Task Should_PassEveryArgumentExactly_When_HostileArgumentsRunThroughARealSshd()
    {
        await Capabilities.RequireAsync("ip", "iptables");
        File.Delete("/tmp/harness-pwned");
        var cluster = await ProvisionAsync(1);
        await using (cluster)
        {
            var remote = cluster.Remote(cluster.Nodes[0]);

            // When printf '%s\0' gets every hostile argument through the remote shell
            var result = await remote.ExecAsync(["printf", "%s\\0", .. Hostile], CancellationToken.None);

            // Then each comes back byte for byte, and nothing was expanded or run
            Assert.Equal(0, result.ExitCode);
            Assert.Equal([.. Hostile, ""], result.Stdout.Split('\0'));
            Assert.False(File.Exists("/tmp/harness-pwned"));

            // And stdin, files over SFTP and an empty argument reach the host unchanged too
            var stdin = string.Join('\n', Hostile);
            Assert.Equal(stdin, (await remote.ExecAsync(["cat"], CancellationToken.None, stdin)).Stdout);
            var path = $"{remote.Directory}/hostile it's $(x)";
            await remote.WriteFileAsync(path, stdin, CancellationToken.None);
            Assert.Equal(stdin, await remote.ReadFileAsync(path, CancellationToken.None));
            Assert.Null(await remote.ReadFileAsync($"{remote.Directory}/missing", CancellationToken.None));
            var local = Path.GetTempFileName();
            await remote.DownloadAsync(path, local, CancellationToken.None);
            Assert.Equal(stdin, await File.ReadAllTextAsync(local));
            File.Delete(local);
            Assert.Equal(1, (await remote.ExecAsync(["test", "-n", ""], CancellationToken.None)).ExitCode);

            // And NUL, which no argv can carry, is refused before anything is sent
            await Assert.ThrowsAsync<ArgumentException>(() => remote.ExecAsync(["echo", "a\0b"], CancellationToken.None));
        }
    }

    [IntegrationFact("iptables")]
    public async Task Should_EndAtOnce_When_ACommandReadsAnEmptyOrNoStdin()
    {
        await Capabilities.RequireAsync("ip", "iptables");
        await using var cluster = await ProvisionAsync(1);
        var remote = cluster.Remote(cluster.Nodes[0]);
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        // When commands read stdin given as empty, as absent and as text (an empty file written through sudo is cat
        // from an empty stdin: it waited for ever, since SSH.NET sends no EOF when nothing was written)
        var empty = await remote.ExecAsync(["sh", "-c", "cat; echo end"], bounded.Token, stdin: "");
        var none = await remote.ExecAsync(["sh", "-c", "cat; echo end"], bounded.Token);
        var text = await remote.ExecAsync(["sh", "-c", "cat; echo end"], bounded.Token, stdin: "some\ntext");

        // Then each ends, with exactly its input
        Assert.Equal(["end\n", "end\n", "some\ntextend\n"], new[] { empty.Stdout, none.Stdout, text.Stdout });
    }

    [IntegrationFact("iptables")]
    public async Task Should_StopContinueAndKillTheServerTree_When_SignalledThroughItsHandle()
    {
        await Capabilities.RequireAsync("ip", "iptables");
        var cluster = await ProvisionAsync(1);
        await using (cluster)
        {
            var remote = cluster.Remote(cluster.Nodes[0]);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < 20; i++) await remote.ExecAsync(["true"], CancellationToken.None);
            log.WriteLine($"exec latency: {clock.Elapsed.TotalMilliseconds / 20:0.0} ms per command");

            // Given a server with a child, started over SSH, writing to its log
            var logPath = $"{remote.LogDirectory}/server.log";
            var server = await remote.StartAsync(new ServerSpec(["sh", "-c", "echo started; sleep 1000 & wait"], logPath), CancellationToken.None);
            Assert.True(server.Pid > 0);
            Assert.False(server.HasExited);
            var child = await WaitAsync(async () => (await remote.ExecAsync(["cat", $"/proc/{server.Pid}/task/{server.Pid}/children"], CancellationToken.None)).Stdout.Trim(), s => s.Length > 0);
            Assert.Contains("started", await remote.ReadFileAsync(logPath, CancellationToken.None) ?? "", StringComparison.Ordinal);

            // When it is stopped with its children, then continued
            // (a signal takes effect when the process is next scheduled: on a loaded machine, a moment later)
            var childPid = int.Parse(child, CultureInfo.InvariantCulture);
            await server.SignalAsync(ProcessSignal.Stop, withChildren: true, CancellationToken.None);
            await WaitAsync(() => Task.FromResult((State(server.Pid), State(childPid))), s => s == ('T', 'T'));
            await server.SignalAsync(ProcessSignal.Cont, withChildren: true, CancellationToken.None);
            await WaitAsync(() => Task.FromResult((State(server.Pid), State(childPid))), s => s.Item1 != 'T' && s.Item2 != 'T');

            // When it is killed with its children, then the handle sees the exit, and both are gone
            await server.SignalAsync(ProcessSignal.Kill, withChildren: true, CancellationToken.None);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await server.WaitForExitAsync(cts.Token);
            Assert.True(server.HasExited);
            Assert.Equal('\0', State(server.Pid));
            await WaitAsync(() => Task.FromResult(State(childPid)), s => s is '\0' or 'Z');
            await server.DisposeAsync();
        }
        Assert.Empty(await sandbox.LeftoversAsync());
    }

    [IntegrationFact("iptables")]
    public async Task Should_CutOnlyTheLinksBetweenNodes_When_PartitionedWithIptablesOnTheHosts()
    {
        await Capabilities.RequireAsync("ip", "iptables");
        var cluster = await ProvisionAsync(3);
        await using (cluster)
        {
            var (n1, n2, n3) = (cluster.Nodes[0], cluster.Nodes[1], cluster.Nodes[2]);
            Assert.Contains($"{n1.Address}/32", cluster.ClientNetworks);
            Assert.Contains("10.76.250.1/32", cluster.ClientNetworks);

            // When n1 is cut off from n2 and n3
            await cluster.Network.PartitionAsync([[n1], [n2, n3]], CancellationToken.None);

            // Then n1 reaches neither, n2 and n3 reach each other, and the controller still drives every host
            Assert.False(await ConnectsAsync(cluster, n1, n2));
            Assert.False(await ConnectsAsync(cluster, n3, n1));
            Assert.True(await ConnectsAsync(cluster, n2, n3));
            foreach (var n in cluster.Nodes) Assert.Equal(0, (await cluster.Remote(n).ExecAsync(["true"], CancellationToken.None)).ExitCode);

            // When the network heals, every link is back
            await cluster.Network.HealAsync(CancellationToken.None);
            Assert.True(await ConnectsAsync(cluster, n1, n2));
        }

        // And after teardown no chain, directory, process or marker is left
        Assert.Empty(await sandbox.LeftoversAsync());
    }

    private static async Task<bool> ConnectsAsync(SshCluster cluster, Node from, Node to) =>
        (await cluster.Remote(from).ExecAsync(["timeout", "1", "bash", "-c", "exec 3<>/dev/tcp/$0/22", to.Address], CancellationToken.None)).Succeeded;

    [IntegrationFact("iptables")]
    public async Task Should_RefuseInOneLineAndChangeNothing_When_AHostIsUnreachableRefusesTheKeyOrHasAnUnknownKey()
    {
        await Capabilities.RequireAsync("ip", "iptables");
        var results = System.IO.Directory.CreateTempSubdirectory("harness-ssh-bad-").FullName;
        var wrongKey = Path.Combine(results, "wrong");
        await HostCommand.RunCheckedAsync(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", wrongKey], CancellationToken.None);
        var emptyKnownHosts = Path.Combine(results, "known_hosts");
        await File.WriteAllTextAsync(emptyKnownHosts, "");
        var (a, b) = (sandbox.Addresses[0], sandbox.Addresses[1]);
        // a known_hosts that gives host a the key of host b: a's real key is then a changed key
        var swapped = Path.Combine(results, "swapped");
        var keyOfB = string.Join(' ', (await File.ReadAllTextAsync($"{SshSandbox.Directory}/n2/hostkey.pub")).Split(' ')[..2]);
        await File.WriteAllTextAsync(swapped, $"{a} {keyOfB}\n{b} {keyOfB}\n");
        string[] common = ["test", "postgres", "--workload", "register", "--time-limit", "2", "--results", results, "--plain", "--provisioner", "ssh"];
        var cases = new (string[] Args, string Expect)[]
        {
            ([.. common, "--node", a, "--node", $"{b}:2222", "--ssh-key", sandbox.Key, "--ssh-known-hosts", sandbox.KnownHosts], $"{b}:2222: cannot connect"),
            ([.. common, "--node", a, "--node", b, "--ssh-key", wrongKey, "--ssh-known-hosts", sandbox.KnownHosts], "was refused with the key"),
            ([.. common, "--node", a, "--node", b, "--ssh-key", sandbox.Key, "--ssh-known-hosts", emptyKnownHosts], "unknown host key"),
            ([.. common, "--node", a, "--node", b, "--ssh-key", sandbox.Key, "--ssh-known-hosts", swapped], $"{a}: the host key (ssh-ed25519 SHA256:"),
            ([.. common, "--ssh-key", sandbox.Key], "needs the hosts"),
            ([.. common, "--node", a, "--nodes-file", $"{SshSandbox.Directory}/nodes"], "not both"),
            ([.. common, "--node", "bad host!"], "--node bad host!"),
        };
        foreach (var (args, expect) in cases)
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();

            // When a test names a host that cannot be used
            var exit = await CliApp.RunAsync(args, stdout, stderr);

            // Then it exits 254 with one line naming the problem (and the host), and nothing was made on any host
            var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(exit == 254, $"exit {exit} for {string.Join(' ', args)}\n{stdout}\n{stderr}");
            Assert.True(lines.Length == 1, stderr.ToString());
            Assert.Contains(expect, lines[0], StringComparison.Ordinal);
            log.WriteLine(lines[0]);
            Assert.Empty(await sandbox.LeftoversAsync());
        }
        System.IO.Directory.Delete(results, recursive: true);
    }

    [IntegrationFact("iptables", "ssh-agent")]
    public async Task Should_LogInThroughTheAgent_When_TheKeyFileIsEncrypted()
    {
        await Capabilities.RequireAsync("ip", "iptables", "ssh-agent");
        var dir = System.IO.Directory.CreateTempSubdirectory("harness-ssh-agent-").FullName;
        var socket = Path.Combine(dir, "agent.sock");
        using var agent = Process.Start(new ProcessStartInfo("ssh-agent", ["-D", "-a", socket]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        try
        {
            // Given the sandbox's key in a real ssh-agent, and on disk only encrypted with a passphrase
            for (var i = 0; i < 100 && !File.Exists(socket); i++) await Task.Delay(20);
            await HostCommand.RunCheckedAsync(["env", $"SSH_AUTH_SOCK={socket}", "ssh-add", "-q", sandbox.Key], CancellationToken.None);
            var encrypted = Path.Combine(dir, "id_ed25519");
            File.Copy(sandbox.Key, encrypted);
            await HostCommand.RunCheckedAsync(["ssh-keygen", "-q", "-p", "-P", "", "-N", "a passphrase", "-f", encrypted], CancellationToken.None);

            // When the harness logs in to two hosts with that file and the agent
            var provisioner = new SshProvisioner([.. sandbox.Addresses.Take(2).Select(h => SshTarget.TryParse(h, 22, out _)!)],
                new SshSettings { KeyFiles = [encrypted], AgentSocket = socket, KnownHostsFiles = [sandbox.KnownHosts] }, TextWriter.Null);
            var spec = new ClusterSpec(2, [], "ssh-test");
            await provisioner.PreflightAsync(spec, CancellationToken.None);
            await using (var cluster = await provisioner.ProvisionAsync(spec, CancellationToken.None))
            {
                // Then the agent signed the logins and commands run on both hosts
                Assert.Equal("n1\n", (await cluster.Remote(cluster.Nodes[0]).ExecAsync(["hostname"], CancellationToken.None)).Stdout);
                Assert.Equal("n2\n", (await cluster.Remote(cluster.Nodes[1]).ExecAsync(["hostname"], CancellationToken.None)).Stdout);
            }

            // And once the agent has forgotten the key, the login is refused in one line naming what was offered
            await HostCommand.RunCheckedAsync(["env", $"SSH_AUTH_SOCK={socket}", "ssh-add", "-q", "-D"], CancellationToken.None);
            var e = await Assert.ThrowsAsync<ProvisioningException>(() => provisioner.PreflightAsync(spec, CancellationToken.None));
            Assert.Contains($"the key {encrypted} is encrypted and the agent at {socket} holds no key", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            agent.Kill();
            await agent.WaitForExitAsync();
            System.IO.Directory.Delete(dir, recursive: true);
        }
        Assert.Empty(await sandbox.LeftoversAsync());
    }

    [IntegrationFact("iptables")]
    public async Task Should_ConnectWithAWarningPerHost_When_HostKeyCheckingIsOffAndTheKeysAreUnknown()
    {
        await Capabilities.RequireAsync("ip", "iptables");
        var empty = Path.GetTempFileName();
        using var status = new StringWriter();
        var provisioner = new SshProvisioner([.. sandbox.Addresses.Take(2).Select(h => SshTarget.TryParse(h, 22, out _)!)],
            new SshSettings { KeyFiles = [sandbox.Key], KnownHostsFiles = [empty], StrictHostKeyChecking = false }, status);

        // When two hosts whose keys no known_hosts lists are used with --ssh-strict-host-key-checking no
        var spec = new ClusterSpec(2, [], "ssh-test");
        await provisioner.PreflightAsync(spec, CancellationToken.None);
        await using (var cluster = await provisioner.ProvisionAsync(spec, CancellationToken.None))
        {
            // Then each host gets one warning line with its key's fingerprint, and commands run
            var warnings = status.ToString().Split('\n').Where(l => l.Contains("NOT checked", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, warnings.Count);
            Assert.All(warnings, w => Assert.Contains("SHA256:", w, StringComparison.Ordinal));
            Assert.Equal("n1\n", (await cluster.Remote(cluster.Nodes[0]).ExecAsync(["hostname"], CancellationToken.None)).Stdout);
        }
        File.Delete(empty);
        Assert.Empty(await sandbox.LeftoversAsync());
    }

    [IntegrationFact("postgres", "iptables")]
    public async Task Should_RemoveWhatTheRunLeftOnTheHosts_When_TheHarnessIsKilled()
    {
        await Capabilities.RequireAsync("ip", "iptables", "postgres");
        var results = System.IO.Directory.CreateTempSubdirectory("harness-ssh-cleanup-").FullName;
        using var child = HarnessChild.Start(new[] { "test", "postgres", "--workload", "register", "--nemesis", "partition",
            "--nemesis-interval", "2", "--time-limit", "120", "--results", results, "--plain" }.Concat(sandbox.Options));
        try
        {
            // Given an SSH run whose three servers are up and a partition is in force (a HARNESS chain on the hosts)
            var (path, marker) = await WaitAsync(() => Task.FromResult(RunLedger.ReadAll().FirstOrDefault(m => m.Marker.HarnessPid == child.Id)),
                m => m.Marker is not null && m.Marker.Resources.Count(r => r.Kind == RunResource.ProcessKind) >= 3, TimeSpan.FromSeconds(90));
            Assert.Equal("ssh", marker.Provisioner);
            Assert.All(marker.Resources.Where(r => r.Kind is "process" or "directory" or "iptables"), r => Assert.Contains(r.Host, sandbox.Addresses));
            await WaitAsync(ChainsInSandboxAsync, n => n > 0, TimeSpan.FromSeconds(60));

            // When the harness is killed with kill -9
            Assert.Equal(0, Syscalls.Kill(child.Id, 9));
            await child.WaitForExitAsync();

            // Then its servers, chains and directory stay on the hosts
            var left = await sandbox.LeftoversAsync();
            Assert.Contains(left, l => l.Contains("postgres", StringComparison.Ordinal));
            Assert.Contains(left, l => l.Contains("HARNESS", StringComparison.Ordinal));
            Assert.Contains(left, l => l.StartsWith("dir /dev/shm/harness-run", StringComparison.Ordinal));

            // When harness cleanup runs, it logs in to the hosts and removes exactly that, and the marker
            var (exit, output) = await HarnessChild.CleanupAsync();
            log.WriteLine(output);
            Assert.Equal(0, exit);
            Assert.Contains($"{marker.RunId} (ssh, harness pid {child.Id}", output, StringComparison.Ordinal);
            Assert.Empty(await sandbox.LeftoversAsync());
            Assert.False(File.Exists(path));
        }
        finally
        {
            if (!child.HasExited)
            {
                Syscalls.Kill(child.Id, 9);
                await child.WaitForExitAsync();
            }
            if (RunLedger.ReadAll().Any(m => m.Marker.HarnessPid == child.Id)) await HarnessChild.CleanupAsync();
            System.IO.Directory.Delete(results, recursive: true);
        }
    }

    private async Task<int> ChainsInSandboxAsync()
    {
        var n = 0;
        for (var i = 1; i <= sandbox.Addresses.Count; i++)
            if ((await HostCommand.RunAsync(["ip", "netns", "exec", $"hs-n{i}", "iptables", "-S", "HARNESS"], CancellationToken.None)).Succeeded) n++;
        return n;
    }

    private static async Task<T> WaitAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value)) return value;
            if (clock.Elapsed > (timeout ?? TimeSpan.FromSeconds(10))) throw new TimeoutException("condition not reached");
            await Task.Delay(50);
        }
    }

    private static char State(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2];
        }
        catch (IOException) { return '\0'; }
    }
}
