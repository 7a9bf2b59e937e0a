using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Harness.Core.Control;

namespace Harness.Provisioning.Docker;

/// <summary>
/// Nodes as Docker containers (n1..nN, N = 1..9) on one private network per run (10.78.x.0/24, node i is
/// 10.78.x.1i, the host 10.78.x.1; internal, so nodes have no route out). The daemon is the one at DOCKER_HOST or
/// /var/run/docker.sock, or else (as root) a private dockerd started for the run. Images come from
/// <see cref="DockerImages"/> (built locally from Debian packages when the daemon lacks them). Progress (package
/// installs, the daemon, the one-time image build) goes to <paramref name="status"/>.
/// </summary>
public sealed partial class DockerProvisioner(TextWriter? status = null) : IProvisioner
{
    /// <summary>Host packages a private daemon and the image build need (installed as root when missing).</summary>
    public static readonly IReadOnlyList<string> HostPackages = ["docker.io", "debootstrap", "iptables", "util-linux", "tar"];

    private readonly TextWriter _status = status ?? Console.Error;

    /// <summary>The node image (--image), which the daemon must have; null: the official or locally built image.</summary>
    public string? Image { get; init; }

    public async Task PreflightAsync(ClusterSpec spec, CancellationToken ct)
    {
        if (spec.NodeCount is < 1 or > 9)
            throw new ProvisioningException($"the docker provisioner makes 1 to 9 nodes, not {spec.NodeCount}; pass --nodes 1..9");
        if (!OperatingSystem.IsLinux())
            throw new ProvisioningException("the docker provisioner needs Linux");
        if (await DockerDaemon.FindExistingAsync(ct) is { } endpoint)
        {
            await using var daemon = await DockerDaemon.AttachAsync(endpoint, ct);
            if (Image is { } image && !await DockerImages.HasAsync(daemon.Client, image, ct)
                && await DockerImages.PullAsync(daemon.Client, image, _status, ct) is { } failed)
                throw new ProvisioningException(DockerImages.NotThere("--image", image, $"the Docker daemon at {endpoint}", failed));
            if (Environment.IsPrivilegedProcess) await EnsurePackagesAsync(["iptables", "util-linux"], ct);
            return;
        }
        if (!Environment.IsPrivilegedProcess)
            throw new ProvisioningException($"no Docker daemon answers at {DockerDaemon.DefaultSocket} (and DOCKER_HOST is not set); start one and set DOCKER_HOST, or run as root so that harness starts a private dockerd");
        // The private daemon is not running yet: its image store is read from the data root (checked again by the
        // daemon once it runs), so a missing --image is refused before anything is made.
        var dataRoot = Path.Combine(DockerDaemon.CacheRoot, "data");
        // (an image of a registry named in the reference is pulled once the daemon runs; docker.io is not tried)
        if (Image is { } given && DockerImages.InDataRoot(dataRoot, given) == false && !DockerImages.NamesRegistry(given))
            throw new ProvisioningException(DockerImages.NotThere("--image", given, $"the private dockerd's image store ({dataRoot})")
                .Replace("load it there first (docker load, docker import or docker tag)", "run a Docker daemon that has it and set DOCKER_HOST", StringComparison.Ordinal));
        await EnsurePackagesAsync(HostPackages, ct);
        var version = await HostCommand.RunAsync(["dockerd", "--version"], ct);
        if (!version.Succeeded)
            throw new ProvisioningException($"dockerd does not run here ({HostCommand.LastLine(version.Stderr)}); reinstall it: apt-get install --reinstall docker.io");
    }

    public async Task<ICluster> ProvisionAsync(ClusterSpec spec, CancellationToken ct)
    {
        if (spec.NodeCount is < 1 or > 9)
            throw new ProvisioningException($"the docker provisioner makes 1 to 9 nodes, not {spec.NodeCount}; pass --nodes 1..9");
        var sw = Stopwatch.StartNew();
        var (id, subnet) = await ReserveAsync(ct);
        // The marker first (root only: /run/harness), then each resource just before it is made.
        var ledger = CreateLedger(id, spec.LeaveRunning);
        DockerDaemon daemon;
        try
        {
            if (await DockerDaemon.FindExistingAsync(ct) is { } endpoint)
            {
                ledger?.Add(new RunResource(DockerLeftovers.Endpoint, endpoint.ToString()));
                daemon = await DockerDaemon.AttachAsync(endpoint, ct);
            }
            else if (Environment.IsPrivilegedProcess)
                daemon = await DockerDaemon.StartPrivateAsync(id, subnet, _status, ledger, ct);
            else
                throw new ProvisioningException($"no Docker daemon answers at {DockerDaemon.DefaultSocket}; start one and set DOCKER_HOST, or run as root");
        }
        catch
        {
            ledger?.Delete(); // the daemon's own dispose removed what it had made
            throw;
        }
        DockerCluster? cluster = null;
        try
        {
            var image = await DockerImages.EnsureAsync(daemon.Client, spec.Packages, Image, ledger, _status, ct, pullOfficial: !daemon.IsPrivate);
            cluster = new DockerCluster(daemon, id, subnet, image, ledger);
            await cluster.CreateAsync(spec.NodeCount, ct);
            await _status.WriteLineAsync($"harness: {spec.NodeCount} containers of {image} on network {cluster.NetworkName} (10.78.{subnet}.0/24) in {sw.Elapsed.TotalSeconds:0.00} s; label {DockerCluster.RunLabel}={id}");
            return cluster;
        }
        catch (Exception e)
        {
            if (cluster is not null) await cluster.DisposeAsync();
            else
            {
                await daemon.DisposeAsync();
                ledger?.Delete();
            }
            if (e is global::Docker.DotNet.DockerApiException api) throw new ProvisioningException($"the Docker daemon refused: {DockerImages.FirstLine(api.ResponseBody ?? api.Message)}");
            if (e is RemoteCommandException rce) throw new ProvisioningException($"cannot create the container cluster: {rce.Message}");
            throw;
        }
    }

    /// <summary>The run's marker (/run/harness/docker-&lt;id&gt;.json), or null without root (no /run/harness to write;
    /// harness cleanup needs root too).</summary>
    private static RunLedger? CreateLedger(string id, bool leaveRunning)
    {
        if (!Environment.IsPrivilegedProcess) return null;
        return RunLedger.Create(DockerProvisionerKind.KindName, id, leaveRunning);
    }

    public Task<IReadOnlyList<RunResource>> FindLeftoversAsync(RunMarker marker, CancellationToken ct) => DockerLeftovers.FindAsync(marker, ct);

    public Task<LeftoverRemoval> RemoveLeftoversAsync(RunMarker marker, CancellationToken ct) => DockerLeftovers.RemoveAsync(marker, ct);


    /// <summary>Installs missing host packages as root (saying so first); otherwise names the exact command.</summary>
    public Task EnsurePackagesAsync(IReadOnlyList<string> packages, CancellationToken ct) =>
        DebianPackages.EnsureAsync(packages, _status,
            "the docker provisioner starts its own dockerd only on a Debian-based machine (dpkg-query not found); start a Docker daemon and set DOCKER_HOST", ct);

    /// <summary>A run id and an x such that 10.78.x.0/24 and 10.79.x.0/24 are unused on the host.</summary>
    private static async Task<(string Id, int Subnet)> ReserveAsync(CancellationToken ct)
    {
        var addrs = await HostCommand.RunAsync(["ip", "-4", "-o", "addr", "show"], ct);
        var routes = await HostCommand.RunAsync(["ip", "-4", "route", "show"], ct);
        var used = Subnet().Matches(addrs.Stdout + "\n" + routes.Stdout).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToHashSet();
        var links = (await HostCommand.RunAsync(["ip", "-o", "link", "show"], ct)).Stdout;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2));
            var x = RandomNumberGenerator.GetInt32(1, 255);
            if (used.Contains(x) || links.Contains($"hd{id}", StringComparison.Ordinal) || links.Contains($"hk{id}", StringComparison.Ordinal)
                || Directory.Exists(Path.Combine(DockerDaemon.RunRoot, id)) || File.Exists(RunLedger.PathFor(DockerProvisionerKind.KindName, id)))
                continue;
            return (id, x);
        }
        throw new ProvisioningException("no free 10.78.x.0/24 subnet or run id found; remove stale harness networks (ip link show | grep -E 'hd|hk')");
    }

    /// <summary>An x such that 10.78.x.0/24 and 10.79.x.0/24 are unused on the host (for a cleanup's daemon).</summary>
    internal static async Task<int> FreeSubnetAsync(CancellationToken ct) => (await ReserveAsync(ct)).Subnet;

    [GeneratedRegex(@"\b10\.7[89]\.(\d{1,3})\.\d{1,3}")]
    private static partial Regex Subnet();
}
