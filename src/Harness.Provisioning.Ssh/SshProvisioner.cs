using System.Collections.Immutable;
using System.Diagnostics;
using System.Security.Cryptography;
using Harness.Core.Control;

namespace Harness.Provisioning.Ssh;

/// <summary>
/// Nodes on hosts the user names, over SSH (one connection per host, kept for the run). Preflight logs in to every
/// host before it changes anything on any: a host that cannot be reached, refuses the key, presents an unknown or
/// changed host key, cannot run <c>sudo -n</c>, or lacks packages it cannot install is refused in one line naming
/// it and the fix. Provisioning then installs the missing Debian packages on each host (apt-get) and makes the run
/// directory; the cluster (<see cref="SshCluster"/>) removes it all at the end.
/// </summary>
public sealed class SshProvisioner(IReadOnlyList<SshTarget> targets, SshSettings settings, TextWriter? status = null) : IProvisioner
{
    /// <summary>What every host needs: iptables (faults), util-linux (setsid, setpriv), procps (ps), coreutils.</summary>
    public static readonly IReadOnlyList<string> BasePackages = ["iptables", "util-linux", "procps"];

    private readonly TextWriter _status = status ?? Console.Error;
    private ImmutableArray<SshHost> _hosts = [];
    private ImmutableArray<IReadOnlyList<string>> _missing = [];

    /// <summary>Connects to every host (in parallel) and checks each; keeps the connections for <see cref="ProvisionAsync"/>.</summary>
    public async Task PreflightAsync(ClusterSpec spec, CancellationToken ct)
    {
        await DisposeHostsAsync();
        if (targets.Count == 0) throw new ProvisioningException("--provisioner ssh needs the hosts: --node HOST[:PORT] or --nodes-file FILE");
        if (spec.NodeCount != targets.Count)
            throw new ProvisioningException($"--provisioner ssh names {targets.Count} hosts but the test wants {spec.NodeCount} nodes; name one host per node");
        var known = KnownHosts.Load(settings.KnownHostsFiles);
        var connects = targets.Select(t => SshHost.ConnectAsync(t, settings, known, TimeSpan.FromSeconds(10), ct)).ToList();
        try
        {
            await Task.WhenAll(connects);
        }
        catch (Exception)
        {
            foreach (var c in connects.Where(c => c.IsCompletedSuccessfully)) await c.Result.DisposeAsync();
            var failure = connects.Select(c => c.Exception?.InnerException).FirstOrDefault(e => e is not null);
            throw failure is ProvisioningException or OperationCanceledException ? failure : new ProvisioningException(failure?.Message ?? "SSH connection failed");
        }
        var hosts = connects.Select(c => c.Result).ToImmutableArray();
        try
        {
            var dup = hosts.GroupBy(h => (h.Address, h.Target.Port)).FirstOrDefault(g => g.Count() > 1);
            if (dup is not null)
                throw new ProvisioningException($"{string.Join(" and ", dup.Select(h => h.Target))} are the same host ({dup.Key.Address}); name each host once");
            if (!settings.StrictHostKeyChecking)
                foreach (var h in hosts.Where(h => h.HostKey?.Status != HostKeyStatus.Known))
                    await _status.WriteLineAsync($"harness: warning: {h.Target}: host key {h.HostKeyFingerprint} NOT checked (--ssh-strict-host-key-checking no); a man-in-the-middle would go unnoticed");
            _missing = [.. await Task.WhenAll(hosts.Select(h => CheckHostAsync(h, [.. BasePackages, .. spec.Packages], ct)))];
            _hosts = hosts;
        }
        catch (Exception)
        {
            foreach (var h in hosts) await h.DisposeAsync();
            throw;
        }
    }

    /// <summary>Checks root or sudo, Debian, and the packages; returns the missing ones (installed by provisioning).</summary>
    private async Task<IReadOnlyList<string>> CheckHostAsync(SshHost host, IReadOnlyList<string> packages, CancellationToken ct)
    {
        var id = await host.ExecAsync(["id", "-u"], ct, sudo: false);
        var root = id.Succeeded && id.Stdout.Trim() == "0";
        if (!root && !settings.Sudo)
            throw new ProvisioningException($"{host.Target}: {settings.User} is not root there; pass --sudo (commands then run through sudo -n) or --ssh-user root");
        if (settings.Sudo)
        {
            var sudo = await host.ExecAsync(["sudo", "-n", "true"], ct, sudo: false);
            if (sudo.ExitCode == 127)
                throw new ProvisioningException($"{host.Target}: sudo is not installed there; install it (apt-get install sudo) and allow {settings.User} NOPASSWD, or log in as root");
            if (!sudo.Succeeded)
                throw new ProvisioningException($"{host.Target}: {settings.User} cannot run sudo without a password ({HostCommand.LastLine(sudo.Stderr)}); allow it in sudoers ({settings.User} ALL=(ALL) NOPASSWD: ALL) or log in as root");
        }
        var wanted = packages.Distinct(StringComparer.Ordinal).ToList();
        var query = await host.ExecAsync(["dpkg-query", "-W", "-f=${Package} ${db:Status-Status}\n", .. wanted], ct, sudo: false);
        if (query.ExitCode == 127)
            throw new ProvisioningException($"{host.Target}: not a Debian or Ubuntu host (no dpkg-query); the ssh provisioner installs packages with apt-get");
        var installed = query.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')).Where(p => p.Length == 2 && p[1] == "installed").Select(p => p[0].Split(':')[0]).ToHashSet(StringComparer.Ordinal);
        return [.. wanted.Where(p => !installed.Contains(p))];
    }

    public async Task<ICluster> ProvisionAsync(ClusterSpec spec, CancellationToken ct)
    {
        if (_hosts.IsDefaultOrEmpty) await PreflightAsync(spec, ct);
        var hosts = _hosts;
        _hosts = [];
        var sw = Stopwatch.StartNew();
        SshCluster? cluster = null;
        try
        {
            await Task.WhenAll(hosts.Select((h, i) => InstallAsync(h, _missing[i], ct)));
            cluster = new SshCluster(NewRunId(), await BaseDirectoryAsync(hosts, ct), hosts, spec.LeaveRunning);
            await cluster.CreateAsync(ct);
            await _status.WriteLineAsync($"harness: {hosts.Length} hosts over SSH as {settings.User}{(settings.Sudo ? " (sudo)" : "")}: {string.Join(", ", hosts.Select((h, i) => $"n{i + 1}={h.Target}"))}; run directory {cluster.RunRoot}; ready in {sw.Elapsed.TotalSeconds:0.00} s");
            return cluster;
        }
        catch (Exception e)
        {
            if (cluster is not null) await cluster.DisposeAsync();
            else foreach (var h in hosts) await h.DisposeAsync();
            if (e is RemoteCommandException rce) throw new ProvisioningException($"cannot set up the hosts: {rce.Message}");
            throw;
        }
    }

    private async Task InstallAsync(SshHost host, IReadOnlyList<string> missing, CancellationToken ct)
    {
        if (missing.Count == 0) return;
        var command = $"apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y {string.Join(' ', missing)}";
        await _status.WriteLineAsync($"harness: {host.Target}: installing missing packages: {string.Join(' ', missing)} ({command})");
        var update = await host.ExecAsync(["apt-get", "update"], ct);
        var install = update.Succeeded
            ? await host.ExecAsync(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", .. missing], ct)
            : update;
        if (!install.Succeeded)
            throw new ProvisioningException($"{host.Target}: installing {string.Join(' ', missing)} failed ({HostCommand.LastLine(install.Stderr)}); run there: {command}");
    }

    /// <summary>/dev/shm/harness-run where every host has /dev/shm (tmpfs, as the netns provisioner), else /var/tmp/harness-run.</summary>
    private static async Task<string> BaseDirectoryAsync(ImmutableArray<SshHost> hosts, CancellationToken ct)
    {
        var shm = await Task.WhenAll(hosts.Select(h => h.ExecAsync(["test", "-d", "/dev/shm", "-a", "-w", "/dev/shm"], ct)));
        return shm.All(r => r.Succeeded) ? SshLeftovers.Bases[0] : SshLeftovers.Bases[1];
    }

    /// <summary>A run id whose marker does not exist here (6 hex digits; hosts may be shared with other controllers).</summary>
    private static string NewRunId()
    {
        for (var i = 0; ; i++)
        {
            var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
            if (!File.Exists(RunLedger.PathFor(SshLeftovers.Provisioner, id)) || i > 100) return id;
        }
    }

    public Task<IReadOnlyList<RunResource>> FindLeftoversAsync(RunMarker marker, CancellationToken ct) => SshLeftovers.FindAsync(marker, ct);

    public Task<LeftoverRemoval> RemoveLeftoversAsync(RunMarker marker, CancellationToken ct) => SshLeftovers.RemoveAsync(marker, ct);

    private async Task DisposeHostsAsync()
    {
        foreach (var h in _hosts) await h.DisposeAsync();
        _hosts = [];
    }
}
