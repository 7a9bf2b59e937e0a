using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Harness.Core.Control;

namespace Harness.Provisioning.Netns;

/// <summary>
/// The default provisioner: N network namespaces (n1..nN, N = 1..9) on a private bridge, with unique names
/// per run (namespaces <c>h&lt;id&gt;n&lt;i&gt;</c>, bridge <c>hb&lt;id&gt;</c>, veths <c>hv&lt;id&gt;&lt;i&gt;</c>)
/// and a free subnet 10.77.x.0/24 (node i is 10.77.x.1i, the host 10.77.x.1). Nodes get no default route.
/// Data and logs live in a per-run directory /dev/shm/h&lt;id&gt; (or /tmp/h&lt;id&gt;), mode 755.
/// Missing Debian packages are installed when running as root (announced on <paramref name="status"/>).
/// </summary>
public sealed partial class NetnsProvisioner(TextWriter? status = null) : IProvisioner
{
    /// <summary>Packages every netns cluster needs (ip, iptables inside the namespaces).</summary>
    public static readonly IReadOnlyList<string> BasePackages = ["iproute2", "iptables"];

    private readonly TextWriter _status = status ?? Console.Error;

    public async Task PreflightAsync(ClusterSpec spec, CancellationToken ct)
    {
        if (spec.NodeCount is < 1 or > 9)
            throw new ProvisioningException($"the netns provisioner makes 1 to 9 nodes, not {spec.NodeCount}; pass --nodes 1..9");
        if (!OperatingSystem.IsLinux())
            throw new ProvisioningException("the netns provisioner needs Linux (network namespaces)");
        if (!Environment.IsPrivilegedProcess)
            throw new ProvisioningException("the netns provisioner needs root (network namespaces, bridges, iptables); run as root, e.g. with sudo");
        await EnsurePackagesAsync([.. BasePackages, .. spec.Packages], ct);
        var probe = await HostCommand.RunAsync(["ip", "netns", "list"], ct);
        if (!probe.Succeeded)
            throw new ProvisioningException($"network namespaces do not work here (`ip netns list`: {probe.Stderr.Trim()})");
    }

    /// <summary>Makes the cluster (after <see cref="PreflightAsync"/>).</summary>
    public async Task<ICluster> ProvisionAsync(ClusterSpec spec, CancellationToken ct)
    {
        if (spec.NodeCount is < 1 or > 9)
            throw new ProvisioningException($"the netns provisioner makes 1 to 9 nodes, not {spec.NodeCount}; pass --nodes 1..9");

        var cluster = await ReserveAsync(ct);
        try
        {
            await cluster.CreateAsync(spec.NodeCount, spec.LeaveRunning, ct);
            return cluster;
        }
        catch (Exception e)
        {
            await cluster.DisposeAsync();
            if (e is RemoteCommandException rce) throw new ProvisioningException($"cannot create the namespace cluster: {rce.Message}");
            throw;
        }
    }

    /// <summary>Installs missing packages as root (saying so first); otherwise names the exact command.</summary>
    public Task EnsurePackagesAsync(IReadOnlyList<string> packages, CancellationToken ct) =>
        DebianPackages.EnsureAsync(packages, _status, "the netns provisioner needs a Debian-based machine (dpkg-query not found)", ct);

    public Task<IReadOnlyList<RunResource>> FindLeftoversAsync(RunMarker marker, CancellationToken ct) => NetnsLeftovers.FindAsync(marker, ct);

    public Task<LeftoverRemoval> RemoveLeftoversAsync(RunMarker marker, CancellationToken ct) => NetnsLeftovers.RemoveAsync(marker, ct);


    /// <summary>Picks a run id whose names are free and a 10.77.x.0/24 subnet no interface uses.</summary>
    private static async Task<NetnsCluster> ReserveAsync(CancellationToken ct)
    {
        var addrs = await HostCommand.RunCheckedAsync(["ip", "-4", "-o", "addr", "show"], ct);
        var routes = await HostCommand.RunAsync(["ip", "-4", "route", "show"], ct);
        var used = Subnet().Matches(addrs.Stdout + "\n" + routes.Stdout).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        var links = (await HostCommand.RunAsync(["ip", "-o", "link", "show"], ct)).Stdout;
        var namespaces = (await HostCommand.RunAsync(["ip", "netns", "list"], ct)).Stdout;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2));
            var x = RandomNumberGenerator.GetInt32(1, 255);
            if (used.Contains(x) || links.Contains($"hb{id}", StringComparison.Ordinal) || links.Contains($"hv{id}", StringComparison.Ordinal)
                || namespaces.Contains($"h{id}n", StringComparison.Ordinal) || Directory.Exists(Path.Combine(RunBase, $"h{id}"))
                || File.Exists(RunLedger.PathFor(NetnsLeftovers.Provisioner, id)))
                continue;
            return new NetnsCluster(id, x, RunBase);
        }
        throw new ProvisioningException("no free 10.77.x.0/24 subnet or run id found; remove stale harness bridges (ip link show | grep hb)");
    }

    /// <summary>Where run directories go: /dev/shm (tmpfs: database I/O at memory speed, untouched by other
    /// processes' disk load; a kill -9 loses nothing that a real crash of the process would keep) or else /tmp.</summary>
    private static string RunBase => Directory.Exists("/dev/shm") ? "/dev/shm" : "/tmp";

    [GeneratedRegex(@"\b10\.77\.(\d{1,3})\.\d{1,3}")]
    private static partial Regex Subnet();
}
