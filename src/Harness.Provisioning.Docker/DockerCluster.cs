using System.Collections.Immutable;
using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;
using Harness.Core.Control;

namespace Harness.Provisioning.Docker;

/// <summary>
/// Nodes as containers on one private network of this run. Everything created carries the label
/// <c>harness.run=&lt;id&gt;</c>; disposing removes, in order, the servers, every container, network and volume
/// with that label, the host FORWARD rule, then stops the private dockerd (if the run started one). It works
/// after a partial setup. Before it makes the network, the FORWARD rule and the containers it records them in the
/// run's <see cref="RunLedger"/> marker (the provisioner recorded the daemon first); a clean disposal deletes the
/// marker last, so what a killed run left is what <c>harness cleanup</c> finds (<see cref="DockerLeftovers"/>).
/// </summary>
public sealed class DockerCluster : ICluster
{
    /// <summary>The label every container, network and volume of a run carries (value: the run id).</summary>
    public const string RunLabel = "harness.run";

    /// <summary>The label naming a container's node (n1..nN).</summary>
    public const string NodeLabel = "harness.node";

    private readonly Lock _lock = new();
    private readonly List<DockerProcess> _processes = [];
    private readonly Dictionary<string, DockerRemote> _remotes = [];
    private readonly IptablesNetwork _network;
    private readonly DockerDaemon _daemon;
    private bool _forwardRule;
    private int _disposed;
    private readonly RunLedger? _ledger;

    internal DockerCluster(DockerDaemon daemon, string id, int subnet, string image, RunLedger? ledger = null)
    {
        _daemon = daemon;
        _ledger = ledger;
        Id = id;
        Subnet = subnet;
        Image = image;
        _network = new IptablesNetwork(() => Nodes, RestoreIptablesAsync);
    }

    /// <summary>The 4-hex-digit run id (label value and part of every name).</summary>
    public string Id { get; }

    /// <summary>The third octet x of this run's network 10.78.x.0/24 (node i is 10.78.x.1i, the host 10.78.x.1).</summary>
    public int Subnet { get; }

    public string Image { get; }

    public string NetworkName => $"harness-{Id}";

    /// <summary>The Linux bridge of the run's network (hd&lt;id&gt;).</summary>
    public string BridgeName => $"hd{Id}";

    /// <summary>The endpoint of the daemon the containers run on.</summary>
    public Uri Endpoint => _daemon.Endpoint;

    /// <summary>True when the run started its own dockerd (stopped on dispose).</summary>
    public bool PrivateDaemon => _daemon.IsPrivate;

    /// <summary>The private dockerd's host PID, if the run started one.</summary>
    public int? DaemonPid => _daemon.Pid;

    internal DockerClient Client => _daemon.Client;

    /// <summary>This run's marker file (under /run/harness), when one was written (as root).</summary>
    public string? MarkerPath => _ledger?.FilePath;

    /// <summary>As root, signals and faults act from the host (host PIDs, nsenter); otherwise through exec.</summary>
    internal bool UseHostPids { get; } = Environment.IsPrivilegedProcess;

    public ImmutableArray<Node> Nodes { get; private set; } = [];

    public ImmutableArray<string> ClientNetworks => [$"10.78.{Subnet}.0/24"];

    public INetwork Network => _network;

    public IRemote Remote(Node node)
    {
        lock (_lock)
            return _remotes.TryGetValue(node.Name, out var r) ? r : throw new ArgumentException($"unknown node {node}", nameof(node));
    }

    /// <summary>The container IDs of the nodes (for tests).</summary>
    public ImmutableArray<string> ContainerIds
    {
        get { lock (_lock) return [.. _remotes.Values.Select(r => r.ContainerId)]; }
    }

    internal DockerProcess Track(DockerProcess p)
    {
        p.OnDispose = Untrack;
        lock (_lock) _processes.Add(p);
        return p;
    }

    private void Untrack(DockerProcess p)
    {
        lock (_lock) _processes.Remove(p);
    }

    internal Task<(IReadOnlyList<string> Argv, CommandResult Result)> RestoreIptablesAsync(Node node, string script, CancellationToken ct) =>
        InNetworkNamespaceAsync((DockerRemote)Remote(node), ["iptables-restore", "--noflush"], script, ct);

    /// <summary>Runs a network tool in the container's network namespace: as root the host's binary under
    /// <c>nsenter -n</c> (no capability inside the container needed), otherwise the image's in an exec (the container has NET_ADMIN then).</summary>
    private async Task<(IReadOnlyList<string> Argv, CommandResult Result)> InNetworkNamespaceAsync(DockerRemote remote, string[] argv, string? stdin, CancellationToken ct)
    {
        if (UseHostPids)
        {
            string[] host = ["nsenter", "-t", remote.InitPid.ToString(CultureInfo.InvariantCulture), "-n", .. argv];
            return (host, await HostCommand.RunAsync(host, ct, stdin));
        }
        return (argv, await remote.ExecAsync(argv, ct, stdin));
    }

    private Dictionary<string, string> Labels(string? node = null)
    {
        var labels = new Dictionary<string, string> { [RunLabel] = Id };
        if (node is not null) labels[NodeLabel] = node;
        return labels;
    }

    internal async Task CreateAsync(int nodeCount, CancellationToken ct)
    {
        if (SharesNodeCache)
        {
            Directory.CreateDirectory(NodeCacheDirectory);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(NodeCacheDirectory, (UnixFileMode)0b111_101_101);
        }
        var prefix = $"10.78.{Subnet.ToString(CultureInfo.InvariantCulture)}";
        _ledger?.Add([
            new RunResource(DockerLeftovers.Network, NetworkName),
            new RunResource(DockerLeftovers.Bridge, BridgeName),
            .. Environment.IsPrivilegedProcess ? [new RunResource(DockerLeftovers.Iptables, string.Join(' ', ForwardRule("-I").Skip(2)))] : Array.Empty<RunResource>(),
            .. Enumerable.Range(1, nodeCount).Select(i => new RunResource(DockerLeftovers.Container, $"harness-{Id}-n{i}")),
        ]);
        await Client.Networks.CreateNetworkAsync(new NetworksCreateParameters
        {
            Name = NetworkName,
            Driver = "bridge",
            // internal: containers get no default route (nothing outside the network is reachable from a node)
            Internal = true,
            Labels = Labels(),
            IPAM = new IPAM { Driver = "default", Config = [new IPAMConfig { Subnet = $"{prefix}.0/24", Gateway = $"{prefix}.1" }] },
            Options = new Dictionary<string, string>
            {
                ["com.docker.network.bridge.name"] = BridgeName,
                ["com.docker.network.bridge.enable_ip_masquerade"] = "false",
            },
        }, ct);
        if (Environment.IsPrivilegedProcess)
        {
            // br_netfilter sends bridged frames through the host FORWARD chain, whose policy is DROP wherever a
            // dockerd managed iptables once; this run's own accept rule (removed at teardown) lets nodes talk.
            _forwardRule = true;
            await HostCommand.RunCheckedAsync(ForwardRule("-I"), ct);
        }
        var nodes = Enumerable.Range(1, nodeCount).Select(i => new Node($"n{i}", $"{prefix}.{10 + i}", i)).ToList();
        var remotes = await Task.WhenAll(nodes.Select(async node =>
        {
            var created = await Client.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Name = $"harness-{Id}-{node.Name}",
                Hostname = node.Name,
                Image = Image,
                Entrypoint = ["sleep"],
                Cmd = ["infinity"],
                Labels = Labels(node.Name),
                HostConfig = new HostConfig
                {
                    Init = true, // docker-init reaps the orphans of killed servers (no zombie postmaster)
                    // without root, network faults run in the container (iptables, ip): they need NET_ADMIN there (a
                    // privileged exec cannot raise capabilities beyond the container's bounding set)
                    CapAdd = UseHostPids ? [] : ["NET_ADMIN"],
                    NetworkMode = NetworkName,
                    Tmpfs = new Dictionary<string, string> { [DockerRemote.NodeDirectory] = "rw,mode=755" },
                    // RemoteExtensions.CacheDirectory is machine-wide on every provisioner: one host directory per
                    // image (owners are the image's uids), shared by the run's containers and kept between runs
                    Binds = SharesNodeCache ? [$"{NodeCacheDirectory}:{RemoteExtensions.CacheDirectory}"] : [],
                },
                NetworkingConfig = new NetworkingConfig
                {
                    EndpointsConfig = new Dictionary<string, EndpointSettings>
                    {
                        [NetworkName] = new() { IPAMConfig = new EndpointIPAMConfig { IPv4Address = node.Address } },
                    },
                },
            }, ct);
            await Client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), ct);
            var inspect = await Client.Containers.InspectContainerAsync(created.ID, ct);
            var remote = new DockerRemote(this, created.ID, (int)(inspect.State?.Pid ?? 0), node);
            lock (_lock) _remotes[node.Name] = remote;
            // Docker gives even an internal network's containers a default route via the host's bridge address;
            // without it a node reaches only its own network (the host forwards nothing for it).
            var (argv, deleted) = await InNetworkNamespaceAsync(remote, ["ip", "route", "del", "default"], null, ct);
            if (!deleted.Succeeded && !deleted.Stderr.Contains("No such process", StringComparison.Ordinal)) deleted.EnsureSuccess(argv);
            await remote.ExecCheckedAsync(["mkdir", "-p", remote.LogDirectory], ct);
            return remote;
        }));
        Nodes = [.. remotes.Select(r => r.Node).OrderBy(n => n.Number)];
    }

    /// <summary>The host directory mounted at <see cref="RemoteExtensions.CacheDirectory"/> in every node of this image.</summary>
    /// <summary>As root the nodes share a host cache directory between runs; a user who is not root gets none (the
    /// machine-wide cache is root's, and files the containers' root wrote into a user's own directory could not be
    /// removed by that user): each container keeps its cache to itself, so set-up is slower.</summary>
    internal static bool SharesNodeCache => Environment.IsPrivilegedProcess;

    public string NodeCacheDirectory => Path.Combine(DockerDaemon.CacheRoot, "node-cache", string.Concat(Image.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')));

    private string[] ForwardRule(string op) =>
        ["iptables", op, "FORWARD", "-i", BridgeName, "-o", BridgeName, "-j", "ACCEPT", "-m", "comment", "--comment", $"harness-{Id}"];

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var clean = false;
        try
        {
            await RemoveLabelledAsync(Client, Id, cts.Token);
            clean = true;
        }
        finally
        {
            DockerProcess[] processes;
            lock (_lock) processes = [.. _processes];
            await Task.WhenAll(processes.Select(p => p.DisposeAsync().AsTask()));
            if (_forwardRule)
                for (var i = 0; i < 10 && (await HostCommand.RunAsync(ForwardRule("-D"), CancellationToken.None)).Succeeded; i++) { }
            await _daemon.DisposeAsync();
            _network.Dispose();
            // Everything is gone: the marker goes too. A teardown cut short, or one that failed, keeps it for `harness cleanup`.
            if (clean) _ledger?.Delete();
        }
    }

    /// <summary>Removes every container (with its anonymous volumes), network and volume labelled
    /// <c>harness.run=<paramref name="id"/></c> on the daemon: what a run made, even one that was killed.</summary>
    public static async Task RemoveLabelledAsync(DockerClient client, string id, CancellationToken ct)
    {
        var filter = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{RunLabel}={id}"] = true } };
        var containers = await client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = filter }, ct);
        await Task.WhenAll(containers.Select(c => client.Containers.RemoveContainerAsync(c.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, ct)));
        foreach (var n in await client.Networks.ListNetworksAsync(new NetworksListParameters { Filters = filter }, ct))
            await client.Networks.DeleteNetworkAsync(n.ID, ct);
        var volumes = await client.Volumes.ListAsync(new VolumesListParameters { Filters = filter }, ct);
        foreach (var v in volumes?.Volumes ?? []) await client.Volumes.RemoveAsync(v.Name, true, ct);
    }
}
