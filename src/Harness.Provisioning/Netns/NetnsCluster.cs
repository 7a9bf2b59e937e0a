using System.Collections.Immutable;
using System.Diagnostics;
using Harness.Core.Control;

namespace Harness.Provisioning.Netns;

/// <summary>
/// Nodes as network namespaces on a private bridge. Disposing removes everything this run created, in
/// order: its processes (by PID), veths, namespaces, bridge, the FORWARD rule, and the run directory. It
/// works after a partial setup. The runner disposes it in <c>finally</c>, also after Ctrl-C; a cluster that
/// is not disposed (--leave-db-running) stays, with its servers running, after the harness exits.
/// Before it creates anything it records what it is about to make in a <see cref="RunLedger"/> marker (each
/// server process as soon as it is started); a clean teardown deletes the marker, so what a killed run left
/// behind is exactly what <c>harness cleanup</c> finds in it (<see cref="NetnsLeftovers"/>).
/// </summary>
public sealed class NetnsCluster : ICluster
{
    private readonly Lock _lock = new();
    private readonly Dictionary<NetnsProcess, RunResource?> _processes = [];
    private readonly Dictionary<string, NetnsRemote> _remotes = [];
    private readonly IptablesNetwork _network;
    private readonly List<string> _namespaces = [];
    private readonly List<string> _veths = [];
    private bool _bridgeCreated;
    private bool _forwardRule;
    private int _disposed;
    private RunLedger? _ledger;

    internal NetnsCluster(string id, int subnet, string baseDirectory)
    {
        Id = id;
        Subnet = subnet;
        RunDirectory = Path.Combine(baseDirectory, $"h{id}");
        BridgeName = $"hb{id}";
        _network = new IptablesNetwork(() => Nodes, async (node, script, ct) =>
        {
            string[] argv = ["ip", "netns", "exec", NamespaceOf(node), "iptables-restore", "--noflush"];
            return (argv, await HostCommand.RunAsync(argv, ct, script));
        });
    }

    /// <summary>The 4-hex-digit run id used in every name this cluster creates.</summary>
    public string Id { get; }

    /// <summary>The third octet x of this run's subnet 10.77.x.0/24.</summary>
    public int Subnet { get; }

    public string BridgeName { get; }

    /// <summary>The host's address on the bridge (clients connect from it).</summary>
    public string HostAddress => $"10.77.{Subnet}.1";

    public ImmutableArray<Node> Nodes { get; private set; } = [];

    /// <summary>This run's directory on the host (node i's directory is its subdirectory n&lt;i&gt;).</summary>
    public string RunDirectory { get; }

    public ImmutableArray<string> ClientNetworks => [$"10.77.{Subnet}.0/24"];

    public INetwork Network => _network;

    /// <summary>Every network namespace this cluster created (for tests of teardown).</summary>
    public ImmutableArray<string> Namespaces
    {
        get { lock (_lock) return [.. _namespaces]; }
    }

    public IRemote Remote(Node node)
    {
        lock (_lock)
            return _remotes.TryGetValue(node.Name, out var r) ? r : throw new ArgumentException($"unknown node {node}", nameof(node));
    }

    internal string NamespaceOf(Node node) => ((NetnsRemote)Remote(node)).Namespace;

    internal static string NamespaceName(string id, int i) => $"h{id}n{i}";

    internal static string VethName(string id, int i) => $"hv{id}{i}";

    /// <summary>The host's FORWARD rule that lets the nodes reach each other through the bridge (iptables arguments after -I/-D).</summary>
    internal static string[] ForwardRule(string id) =>
        ["FORWARD", "-i", $"hb{id}", "-o", $"hb{id}", "-j", "ACCEPT", "-m", "comment", "--comment", $"harness-{id}"];

    /// <summary>This run's marker file (under /run/harness), once created.</summary>
    public string? MarkerPath => _ledger?.FilePath;

    /// <summary>Tracks a server started in a namespace, and records it (PID and start time) in the run's marker.</summary>
    internal NetnsProcess Track(Process process)
    {
        var p = new NetnsProcess(process, Untrack);
        var start = LocalProcess.StartTimeOf(p.Pid);
        var resource = start is { } s ? RunResource.Process(p.Pid, s) : null;
        lock (_lock) _processes.Add(p, resource);
        if (resource is not null) _ledger?.Add(resource);
        return p;
    }

    private void Untrack(NetnsProcess p)
    {
        RunResource? resource;
        lock (_lock)
            if (!_processes.Remove(p, out resource)) return;
        // forgotten only when it is gone for good (a process that outlived its SIGKILL stays recorded for cleanup)
        if (resource is { StartTime: { } start } && !LocalProcess.IsRunning(p.Pid, start)) _ledger?.Remove(resource);
    }

    internal async Task CreateAsync(int nodeCount, bool leaveRunning, CancellationToken ct)
    {
        // The marker first, with everything about to be made, so a kill at any later instant leaves a record.
        _ledger = RunLedger.Create(NetnsLeftovers.Provisioner, Id, leaveRunning);
        _ledger.Add([
            new RunResource(NetnsLeftovers.Directory, RunDirectory),
            new RunResource(NetnsLeftovers.Bridge, BridgeName),
            .. Enumerable.Range(1, nodeCount).SelectMany(i => new[] { new RunResource(NetnsLeftovers.Veth, VethName(Id, i)), new RunResource(NetnsLeftovers.Namespace, NamespaceName(Id, i)) }),
            new RunResource(NetnsLeftovers.Iptables, string.Join(' ', ForwardRule(Id))),
        ]);
        Directory.CreateDirectory(RunDirectory);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(RunDirectory, (UnixFileMode)0b111_101_101);
        var nodes = ImmutableArray.CreateBuilder<Node>(nodeCount);
        // One `ip -batch` for the host side (bridge, namespaces, veths), then one per node inside its namespace.
        var host = new System.Text.StringBuilder();
        host.Append(System.Globalization.CultureInfo.InvariantCulture, $"link add {BridgeName} type bridge\naddr add {HostAddress}/24 dev {BridgeName}\nlink set {BridgeName} up\n");
        _bridgeCreated = true;
        for (var i = 1; i <= nodeCount; i++)
        {
            var ns = NamespaceName(Id, i);
            var veth = VethName(Id, i);
            lock (_lock)
            {
                _namespaces.Add(ns);
                _veths.Add(veth);
            }
            host.Append(System.Globalization.CultureInfo.InvariantCulture, $"netns add {ns}\nlink add {veth} type veth peer name eth0 netns {ns}\nlink set {veth} master {BridgeName} up\n");
        }
        await HostCommand.RunCheckedAsync(["ip", "-batch", "-"], ct, host.ToString());
        _forwardRule = true;
        var forward = HostCommand.RunCheckedAsync(["iptables", "-I", .. ForwardRule(Id)], ct);
        var inside = new List<Task>();
        for (var i = 1; i <= nodeCount; i++)
        {
            var ns = NamespaceName(Id, i);
            var node = new Node($"n{i}", $"10.77.{Subnet}.{10 + i}", i);
            inside.Add(HostCommand.RunCheckedAsync(["ip", "-n", ns, "-batch", "-"], ct, $"addr add {node.Address}/24 dev eth0\nlink set lo up\nlink set eth0 up\n"));
            Directory.CreateDirectory(Path.Combine(RunDirectory, node.Name, "log"));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(RunDirectory, node.Name), (UnixFileMode)0b111_101_101);
            lock (_lock) _remotes[node.Name] = new NetnsRemote(this, ns, node, Path.Combine(RunDirectory, node.Name));
            nodes.Add(node);
        }
        await Task.WhenAll([forward, .. inside]);
        Nodes = nodes.MoveToImmutable();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await TeardownAsync(cts.Token);
        _network.Dispose();
    }

    private async Task TeardownAsync(CancellationToken ct)
    {
        NetnsProcess[] processes;
        string[] namespaces, veths;
        lock (_lock)
        {
            processes = [.. _processes.Keys];
            namespaces = [.. _namespaces];
            veths = [.. _veths];
        }
        // 1. Our own servers, by PID (SIGKILL also ends a SIGSTOPped process).
        await Task.WhenAll(processes.Select(p => p.DisposeAsync().AsTask()));
        // 2. Anything else still inside our namespaces (e.g. a forked helper), by PID.
        await Task.WhenAll(namespaces.Select(async ns =>
        {
            var pids = await HostCommand.RunAsync(["ip", "netns", "pids", ns], ct);
            var list = pids.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => int.TryParse(s, out var pid) ? pid : 0).Where(pid => pid > 0).ToList();
            foreach (var pid in list) HostProcesses.Send(pid, HostProcesses.SigKill);
            var deadline = Stopwatch.StartNew();
            while (list.Any(HostProcesses.IsAlive) && deadline.Elapsed < TimeSpan.FromSeconds(3)) await Task.Delay(20, ct);
        }));
        // 3. Veths first (synchronous), then namespaces and the bridge, in one `ip -force -batch` that goes on
        // past names that were never created; then the FORWARD rule and the run directory.
        var batch = new System.Text.StringBuilder();
        foreach (var v in veths) batch.Append("link del ").Append(v).Append('\n');
        foreach (var ns in namespaces) batch.Append("netns del ").Append(ns).Append('\n');
        if (_bridgeCreated) batch.Append("link del ").Append(BridgeName).Append('\n');
        if (batch.Length > 0) await HostCommand.RunAsync(["ip", "-force", "-batch", "-"], ct, batch.ToString());
        if (_forwardRule)
        {
            string[] del = ["iptables", "-D", .. ForwardRule(Id)];
            for (var i = 0; i < 10 && (await HostCommand.RunAsync(del, ct)).Succeeded; i++) { }
        }
        try
        {
            if (Directory.Exists(RunDirectory)) Directory.Delete(RunDirectory, recursive: true);
        }
        catch (IOException) { await HostCommand.RunAsync(["rm", "-rf", RunDirectory], ct); }
        catch (UnauthorizedAccessException) { await HostCommand.RunAsync(["rm", "-rf", RunDirectory], ct); }
        // Everything is gone: the marker goes too. A teardown cut short keeps it, for `harness cleanup`.
        _ledger?.Delete();
    }
}
