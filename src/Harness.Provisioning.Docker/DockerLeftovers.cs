using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Docker.DotNet.Models;
using Harness.Core.Control;

namespace Harness.Provisioning.Docker;

/// <summary>
/// Finds and removes what a dead docker run recorded in its <see cref="RunMarker"/>, and nothing else: the run's
/// containers and network (by the label <c>harness.run=&lt;id&gt;</c>, through the recorded daemon while it answers),
/// its private dockerd (by the recorded PID, only while the start time matches and /proc/&lt;pid&gt;/cmdline is a
/// dockerd with the run's exec root), what that daemon left when it was killed itself (containerd, shims and the
/// containers' processes, found by the run's exec root in their command lines), the bridges hk&lt;id&gt; and
/// hd&lt;id&gt;, the FORWARD rule, mounts and directories of the run (its exec root, an image build's directory).
/// Every step skips what is already gone.
/// </summary>
internal static partial class DockerLeftovers
{
    // The kinds of resource a docker run records (RunResource.ProcessKind for processes found, not recorded).
    /// <summary>The daemon the run talked to (its endpoint URI): where to look, never itself removed.</summary>
    public const string Endpoint = "docker-endpoint";
    /// <summary>The private daemon's data root (where its containers live while it is down): never removed itself.</summary>
    public const string DataRoot = "docker-data-root";
    public const string Container = "container";
    public const string Network = "network";
    /// <summary>The run's private dockerd (PID and start time).</summary>
    public const string Daemon = "dockerd";
    public const string Bridge = "bridge";
    public const string Iptables = "iptables";
    public const string Directory = "directory";
    public const string Mount = "mount";

    /// <summary>What of the run still exists.</summary>
    public static async Task<IReadOnlyList<RunResource>> FindAsync(RunMarker marker, CancellationToken ct)
    {
        var found = new List<RunResource>();
        if (await ConnectAsync(marker, ct) is { } client)
            using (client)
                foreach (var r in await LabelledAsync(client, marker.RunId, ct))
                    found.Add(r);
        foreach (var r in marker.Resources)
            if (r.Kind is not (Endpoint or DataRoot or Container or Network) && await ExistsAsync(marker, r, ct)) found.Add(r);
        if (!found.Any(r => r.Kind == Daemon))
        {
            foreach (var pid in OrphansOf(marker))
                if (LocalProcess.StartTimeOf(pid) is { } start) found.Add(RunResource.Process(pid, start));
            // a private daemon that is gone keeps the run's containers in its data root, and a killed one its mount of it
            if (!found.Any(r => r.Kind == Container))
                found.AddRange(ContainersInDataRoot(marker).Select(name => new RunResource(Container, name)));
            if (await StaleDataRootMountAsync(marker, ct) is { } mount) found.Add(new RunResource(Mount, mount));
        }
        return found;
    }

    public static async Task<LeftoverRemoval> RemoveAsync(RunMarker marker, CancellationToken ct)
    {
        var found = await FindAsync(marker, ct);
        var removed = new List<RunResource>();

        // 1. The run's containers (with their anonymous volumes) and network, by label, through its daemon.
        if (found.Any(r => r.Kind is Container or Network) && await ConnectAsync(marker, ct) is { } client)
            using (client)
                await DockerCluster.RemoveLabelledAsync(client, marker.RunId, ct);

        // 2. Its private dockerd, by PID (it stops its containerd); then whatever a killed daemon left (container
        // processes first: killing a container's init ends its PID namespace; then shims and containerd).
        foreach (var daemon in found.Where(r => r.Kind == Daemon && IsRecordedDaemon(marker, r)))
        {
            var pid = int.Parse(daemon.Name, CultureInfo.InvariantCulture);
            HostProcesses.Send(pid, HostProcesses.SigTerm);
            var clock = Stopwatch.StartNew();
            while (IsRecordedDaemon(marker, daemon) && clock.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(50, ct);
            if (IsRecordedDaemon(marker, daemon)) HostProcesses.Send(pid, HostProcesses.SigKill);
            while (IsRecordedDaemon(marker, daemon) && clock.Elapsed < TimeSpan.FromSeconds(25)) await Task.Delay(50, ct);
        }
        for (var round = 0; round < 5; round++)
        {
            var orphans = OrphansOf(marker);
            if (orphans.Count == 0) break;
            foreach (var pid in orphans) HostProcesses.Send(pid, HostProcesses.SigKill);
            var clock = Stopwatch.StartNew();
            while (orphans.Any(HostProcesses.IsAlive) && clock.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(50, ct);
        }

        // 3. The FORWARD rule, the bridges, mounts, the directories.
        foreach (var rule in found.Where(r => r.Kind == Iptables))
            for (var i = 0; i < 10 && (await HostCommand.RunAsync(["iptables", "-D", .. rule.Name.Split(' ')], ct)).Succeeded; i++) { }
        foreach (var bridge in found.Where(r => r.Kind == Bridge && IsRunLink(marker, r.Name)))
            await HostCommand.RunAsync(["ip", "link", "del", bridge.Name], ct);
        foreach (var dir in marker.Resources.Where(r => r.Kind == Directory && IsRunDirectory(marker, r.Name)))
            if (System.IO.Directory.Exists(dir.Name)) await DockerDaemon.UnmountBelowAsync(dir.Name);
        foreach (var mount in found.Where(r => r.Kind == Mount && IsUnderRunDirectory(marker, r.Name)))
            await HostCommand.RunAsync(["umount", "-l", mount.Name], ct);
        foreach (var dir in found.Where(r => r.Kind == Directory && IsRunDirectory(marker, r.Name)))
            await HostCommand.RunAsync(["rm", "-rf", "--one-file-system", dir.Name], ct);
        if (System.IO.Directory.Exists(DockerDaemon.RunRoot) && !System.IO.Directory.EnumerateFileSystemEntries(DockerDaemon.RunRoot).Any())
            System.IO.Directory.Delete(DockerDaemon.RunRoot);

        // 4. The containers a killed private daemon keeps in its data root: a daemon started for cleanup on that data
        // root (when no other private daemon uses it) removes them and the network by label, then stops.
        if (ContainersInDataRoot(marker).Count > 0 && marker.Resources.Any(r => r.Kind == Daemon)
            && marker.Resources.FirstOrDefault(r => r.Kind == DataRoot)?.Name == Path.Combine(DockerDaemon.CacheRoot, "data")
            && await ConnectAsync(marker, ct) is null && OrphansOf(marker).Count == 0)
        {
            try
            {
                await using var daemon = await DockerDaemon.StartPrivateAsync(marker.RunId, await DockerProvisioner.FreeSubnetAsync(ct), TextWriter.Null, null, ct);
                await DockerCluster.RemoveLabelledAsync(daemon.Client, marker.RunId, ct);
            }
            catch (ProvisioningException) { } // the data root is in use: named below as still there
        }

        // 5. The bind mount of the data root onto itself that a killed dockerd leaves (only when no dockerd uses it).
        if (await StaleDataRootMountAsync(marker, ct) is { } stale) await HostCommand.RunAsync(["umount", "-l", stale], ct);

        // What is still there now could not be removed.
        var left = await FindAsync(marker, ct);
        removed.AddRange(found.Where(r => !left.Contains(r)));
        return new LeftoverRemoval(removed, [.. left.Select(r => $"{r} is still there")]);
    }

    /// <summary>The recorded private data root when it is still mounted onto itself (dockerd makes that mount and
    /// removes it when it stops; a killed one leaves it) while no dockerd uses that data root; else null.</summary>
    private static async Task<string?> StaleDataRootMountAsync(RunMarker marker, CancellationToken ct)
    {
        if (marker.Resources.FirstOrDefault(r => r.Kind == DataRoot) is not { } root || !marker.Resources.Any(r => r.Kind == Daemon)) return null;
        var mounted = (await File.ReadAllLinesAsync("/proc/self/mountinfo", ct))
            .Any(l => l.Split(' ') is { Length: > 4 } f && f[3] == root.Name && f[4] == root.Name);
        return mounted && DockerDaemon.DaemonsUsing(root.Name).Count == 0 ? root.Name : null;
    }

    /// <summary>The names of the containers labelled with the run's id in the recorded private data root
    /// (<c>containers/*/config.v2.json</c>), for when no daemon answers for it.</summary>
    private static List<string> ContainersInDataRoot(RunMarker marker)
    {
        var names = new List<string>();
        if (marker.Resources.FirstOrDefault(r => r.Kind == DataRoot) is not { } root) return names;
        var containers = Path.Combine(root.Name, "containers");
        if (!System.IO.Directory.Exists(containers)) return names;
        foreach (var dir in System.IO.Directory.EnumerateDirectories(containers))
        {
            try
            {
                using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "config.v2.json")));
                var config = json.RootElement.GetProperty("Config");
                if (config.TryGetProperty("Labels", out var labels) && labels.ValueKind == System.Text.Json.JsonValueKind.Object
                    && labels.TryGetProperty(DockerCluster.RunLabel, out var run) && run.GetString() == marker.RunId)
                    names.Add(json.RootElement.TryGetProperty("Name", out var name) ? name.GetString()?.TrimStart('/') ?? Path.GetFileName(dir) : Path.GetFileName(dir));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException) { }
        }
        return names;
    }

    /// <summary>A client of the recorded daemon when it answers (within 3 s), else null.</summary>
    private static async Task<global::Docker.DotNet.DockerClient?> ConnectAsync(RunMarker marker, CancellationToken ct)
    {
        if (marker.Resources.FirstOrDefault(r => r.Kind == Endpoint) is not { } endpoint
            || !Uri.TryCreate(endpoint.Name, UriKind.Absolute, out var uri) || !await DockerDaemon.AnswersAsync(uri, ct))
            return null;
        return DockerDaemon.Connect(uri);
    }

    /// <summary>The containers and networks on the daemon labelled with the run's id.</summary>
    private static async Task<List<RunResource>> LabelledAsync(global::Docker.DotNet.DockerClient client, string id, CancellationToken ct)
    {
        var filter = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{DockerCluster.RunLabel}={id}"] = true } };
        var found = new List<RunResource>();
        try
        {
            foreach (var c in await client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = filter }, ct))
                found.Add(new RunResource(Container, c.Names.FirstOrDefault()?.TrimStart('/') ?? c.ID[..12]));
            foreach (var n in await client.Networks.ListNetworksAsync(new NetworksListParameters { Filters = filter }, ct))
                found.Add(new RunResource(Network, n.Name));
        }
        catch (Exception e) when (e is global::Docker.DotNet.DockerApiException or HttpRequestException or IOException) { }
        return found;
    }

    private static async Task<bool> ExistsAsync(RunMarker marker, RunResource r, CancellationToken ct) => r.Kind switch
    {
        Daemon => IsRecordedDaemon(marker, r),
        Bridge => System.IO.Directory.Exists($"/sys/class/net/{r.Name}"),
        Iptables => !Environment.IsPrivilegedProcess || (await HostCommand.RunAsync(["iptables", "-C", .. r.Name.Split(' ')], ct)).Succeeded,
        Directory => System.IO.Directory.Exists(r.Name),
        Mount => (await File.ReadAllLinesAsync("/proc/self/mountinfo", ct)).Any(l => l.Split(' ') is { Length: > 4 } f && f[4] == r.Name),
        _ => false,
    };

    /// <summary>The run's exec root (/run/harness-docker/&lt;id&gt;) when it recorded one (a private daemon).</summary>
    private static string? ExecRoot(RunMarker marker) =>
        marker.Resources.FirstOrDefault(r => r.Kind == Directory && r.Name == Path.Combine(DockerDaemon.RunRoot, marker.RunId))?.Name;

    /// <summary>True while the recorded dockerd runs: the same PID and start time, and its command line is a dockerd
    /// with this run's exec root (a reused PID, or another daemon, is never signalled).</summary>
    private static bool IsRecordedDaemon(RunMarker marker, RunResource daemon)
    {
        if (!int.TryParse(daemon.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || daemon.StartTime is not { } start
            || !LocalProcess.IsRunning(pid, start) || ExecRoot(marker) is not { } execRoot)
            return false;
        var argv = CommandLine(pid);
        return argv.Length > 0 && Path.GetFileName(argv[0]) == "dockerd"
            && argv.Zip(argv.Skip(1)).Any(p => p.First == "--exec-root" && p.Second == execRoot);
    }

    /// <summary>Processes a killed private dockerd left: those whose command line names the run's exec root
    /// (containerd, containerd-shim-runc-v2 -address &lt;exec root&gt;/...), and the shims' children (the containers'
    /// init processes). Container processes first, then shims, then containerd. Empty without an exec root.</summary>
    private static List<int> OrphansOf(RunMarker marker)
    {
        if (ExecRoot(marker) is not { } execRoot || !System.IO.Directory.Exists("/proc")) return [];
        var named = new List<int>();
        foreach (var dir in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId) continue;
            var argv = CommandLine(pid);
            if (argv.Length > 0 && Path.GetFileName(argv[0]) != "dockerd" && argv.Any(a => a == execRoot || a.StartsWith(execRoot + "/", StringComparison.Ordinal))
                && HostProcesses.IsAlive(pid))
                named.Add(pid);
        }
        var shims = named.Where(p => CommandLine(p) is [var exe, ..] && Path.GetFileName(exe).StartsWith("containerd-shim", StringComparison.Ordinal)).ToList();
        var inside = shims.SelectMany(HostProcesses.DescendantsOf).Where(HostProcesses.IsAlive).Distinct().ToList();
        return [.. inside, .. shims, .. named.Except(shims)];
    }

    private static string[] CommandLine(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    /// <summary>A guard against a damaged marker: only the run's own bridges (hk&lt;id&gt;, hd&lt;id&gt;) are deleted.</summary>
    private static bool IsRunLink(RunMarker marker, string name) => name == $"hk{marker.RunId}" || name == $"hd{marker.RunId}";

    /// <summary>Only the run's exec root, or an image build's directories under the cache root, are removed.</summary>
    private static bool IsRunDirectory(RunMarker marker, string path) =>
        Path.IsPathFullyQualified(path) && !path.Contains("/../", StringComparison.Ordinal)
        && (path == Path.Combine(DockerDaemon.RunRoot, marker.RunId)
            || (Path.GetDirectoryName(path) == Path.TrimEndingDirectorySeparator(DockerDaemon.CacheRoot) && BuildDirectory().IsMatch(Path.GetFileName(path))));

    private static bool IsUnderRunDirectory(RunMarker marker, string path) =>
        marker.Resources.Any(d => d.Kind == Directory && IsRunDirectory(marker, d.Name) && path.StartsWith(d.Name + "/", StringComparison.Ordinal));

    [GeneratedRegex(@"^(build-[0-9a-f]{12}|rootfs-[a-z]+\.tmp)$")]
    private static partial Regex BuildDirectory();
}
