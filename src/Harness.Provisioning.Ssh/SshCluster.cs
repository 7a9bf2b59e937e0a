using System.Collections.Immutable;
using System.Globalization;
using Harness.Core.Control;

namespace Harness.Provisioning.Ssh;

/// <summary>
/// The hosts as nodes n1..nN. On every host the run has one directory (<see cref="RunRoot"/>, node i's directory
/// its subdirectory n&lt;i&gt;, so hosts that share a filesystem never collide), its servers, and, once a fault has
/// been applied, the iptables chain HARNESS jumped to from INPUT (only rules against the other nodes' addresses;
/// the controller's SSH connection is accepted first). Before it makes anything it records it all in a
/// <see cref="RunLedger"/> marker with the hosts and how to log in; disposing removes, per host, the servers (by
/// PID), the chain, the directory, and then the marker.
/// </summary>
public sealed class SshCluster : ICluster
{
    private readonly Lock _lock = new();
    private readonly Dictionary<SshProcess, RunResource> _processes = [];
    private readonly Dictionary<string, SshRemote> _remotes = [];
    private readonly HashSet<string> _chains = [];
    private readonly ImmutableArray<SshHost> _hosts;
    private readonly IptablesNetwork _network;
    private readonly RunLedger _ledger;
    private int _disposed;
    private bool _leftover;

    internal SshCluster(string id, string baseDirectory, ImmutableArray<SshHost> hosts, bool leaveRunning)
    {
        Id = id;
        RunRoot = $"{baseDirectory}/{id}";
        _hosts = hosts;
        Nodes = [.. hosts.Select((h, i) => new Node($"n{i + 1}", h.Address, i + 1))];
        for (var i = 0; i < hosts.Length; i++)
            _remotes[Nodes[i].Name] = new SshRemote(this, hosts[i], Nodes[i], $"{RunRoot}/{Nodes[i].Name}");
        _network = new IptablesNetwork(() => Nodes, RestoreAsync);
        _ledger = RunLedger.Create(SshLeftovers.Provisioner, id, leaveRunning);
        _ledger.Add(SshLeftovers.Describe(hosts[0].Settings, hosts.Select(h => (h.Target, h.Address)), RunRoot));
    }

    /// <summary>The run id (hex), in the marker's name and the directory's.</summary>
    public string Id { get; }

    /// <summary>The run's directory on every host (e.g. /dev/shm/harness-run/1a2b3c).</summary>
    public string RunRoot { get; }

    internal string PidDirectory => $"{RunRoot}/pids";

    public ImmutableArray<Node> Nodes { get; }

    /// <summary>The hosts' addresses and the controller's address as each host sees it, as /32s.</summary>
    public ImmutableArray<string> ClientNetworks =>
        [.. _hosts.Select(h => h.Address).Concat(_hosts.Select(h => h.ControllerAddress).OfType<string>()).Distinct().Select(a => a.Contains(':', StringComparison.Ordinal) ? $"{a}/128" : $"{a}/32")];

    public INetwork Network => _network;

    public string MarkerPath => _ledger.FilePath;

    public IRemote Remote(Node node) =>
        _remotes.TryGetValue(node.Name, out var r) ? r : throw new ArgumentException($"unknown node {node}", nameof(node));

    internal SshProcess Track(SshProcess p)
    {
        var resource = new RunResource(RunResource.ProcessKind, p.Pid.ToString(CultureInfo.InvariantCulture)) { StartTime = p.StartTime, Host = p.Node.Address };
        p.OnDispose = Untrack;
        lock (_lock) _processes[p] = resource;
        _ledger.Add(resource);
        return p;
    }

    private void Untrack(SshProcess p)
    {
        RunResource? resource;
        lock (_lock)
            if (!_processes.Remove(p, out resource)) return;
        // forgotten only when it is gone for good (one that outlived its SIGKILL stays recorded for cleanup)
        if (p.HasExited) _ledger.Remove(resource);
        else _leftover = true;
    }

    /// <summary>Makes the run directory on every host (mode 755: database users traverse it).</summary>
    internal async Task CreateAsync(CancellationToken ct)
    {
        await Task.WhenAll(_remotes.Values.Select(r => r.ExecCheckedAsync(["sh", "-c", "mkdir -p \"$0\" \"$1\" \"$2\" \"$3\" && chmod 755 \"$(dirname \"$0\")\" \"$0\" \"$1\" \"$2\" && chmod 700 \"$3\"",
            RunRoot, r.Directory, r.LogDirectory, PidDirectory], ct)));
    }

    /// <summary>One node's chain in one <c>iptables-restore --noflush</c>; the controller's SSH connection is accepted
    /// before any drop, so a partition never cuts the harness off a host.</summary>
    private async Task<(IReadOnlyList<string> Argv, CommandResult Result)> RestoreAsync(Node node, string script, CancellationToken ct)
    {
        var remote = (SshRemote)Remote(node);
        var accept = remote.Host.ControllerAddress is { } controller
            ? $"-A {IptablesNetwork.Chain} -s {controller} -p tcp --dport {remote.Host.Target.Port.ToString(CultureInfo.InvariantCulture)} -j ACCEPT\n"
            : "";
        var flush = $"-F {IptablesNetwork.Chain}\n";
        var withAccept = script.Replace(flush, flush + accept, StringComparison.Ordinal);
        lock (_lock) _chains.Add(node.Name);
        string[] argv = ["iptables-restore", "-w", "5", "--noflush"];
        return (argv, await remote.ExecAsync(argv, ct, withAccept));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        SshProcess[] processes;
        lock (_lock) processes = [.. _processes.Keys];
        var failed = false;
        try
        {
            await Task.WhenAll(processes.Select(p => p.DisposeAsync().AsTask()));
            await Task.WhenAll(_remotes.Values.Select(async r =>
            {
                bool chain;
                lock (_lock) chain = _chains.Contains(r.Node.Name);
                var result = await r.ExecAsync(["sh", "-c", SshLeftovers.RemoveScript, RunRoot, chain ? IptablesNetwork.Chain : ""], cts.Token);
                if (!result.Succeeded) failed = true;
            }));
        }
        catch (Exception)
        {
            failed = true; // a host went away: the marker stays for `harness cleanup`
        }
        finally
        {
            foreach (var h in _hosts) await h.DisposeAsync();
            _network.Dispose();
        }
        lock (_lock) failed |= _leftover || _processes.Count > 0;
        if (!failed) _ledger.Delete();
    }
}
