using System.Diagnostics;
using System.Globalization;
using Harness.Core.Control;

namespace Harness.Provisioning.Netns;

/// <summary>
/// Finds and removes what a dead netns run recorded in its <see cref="RunMarker"/>, and nothing else: its processes
/// (by PID, only while the start time matches), anything still inside its namespaces, its veths, namespaces, bridge,
/// FORWARD rule and run directory, and the System V segments of its killed PostgreSQL servers (named by the
/// postmaster.pid lock files under its directories). Every step skips what is already gone.
/// </summary>
internal static class NetnsLeftovers
{
    public const string Provisioner = "netns";

    // The kinds of resource a netns run records (RunResource.ProcessKind for its processes).
    public const string Namespace = "namespace";
    public const string Veth = "veth";
    public const string Bridge = "bridge";
    public const string Iptables = "iptables";
    public const string Directory = "directory";

    /// <summary>Not recorded but found: a System V shared memory segment (its shmid) of a killed server.</summary>
    public const string SharedMemory = "sysv-shm";

    /// <summary>What of the run still exists: recorded resources that do, processes found inside its namespaces,
    /// and the shared memory segments its directories name.</summary>
    public static async Task<IReadOnlyList<RunResource>> FindAsync(RunMarker marker, CancellationToken ct)
    {
        var found = new List<RunResource>();
        foreach (var r in marker.Resources)
            if (await ExistsAsync(r, ct)) found.Add(r);
        var known = found.Where(r => r.Kind == RunResource.ProcessKind).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var pid in await PidsInNamespacesAsync(found, ct))
            if (known.Add(pid.ToString(CultureInfo.InvariantCulture)) && LocalProcess.StartTimeOf(pid) is { } start)
                found.Add(RunResource.Process(pid, start));
        foreach (var (shmid, _) in await SegmentsAsync(found, ct))
            found.Add(new RunResource(SharedMemory, shmid.ToString(CultureInfo.InvariantCulture)));
        return found;
    }

    public static async Task<LeftoverRemoval> RemoveAsync(RunMarker marker, CancellationToken ct)
    {
        var found = await FindAsync(marker, ct);
        var removed = new List<RunResource>();
        var segments = await SegmentsAsync(found, ct);

        // 1. Processes: the recorded ones (start time checked by FindAsync) and whatever else is in the namespaces,
        // repeated until the namespaces are empty (a server may fork while it is being killed).
        var processes = found.Where(r => r.Kind == RunResource.ProcessKind).ToList();
        for (var round = 0; round < 5 && processes.Count > 0; round++)
        {
            foreach (var p in processes) Kill(p);
            var deadline = Stopwatch.StartNew();
            while (processes.Any(IsRunning) && deadline.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(20, ct);
            removed.AddRange(processes.Where(p => !IsRunning(p) && !removed.Contains(p)));
            var more = (await PidsInNamespacesAsync(found, ct))
                .Select(pid => LocalProcess.StartTimeOf(pid) is { } s ? RunResource.Process(pid, s) : null)
                .OfType<RunResource>().Where(p => !removed.Contains(p)).ToList();
            processes = [.. processes.Where(IsRunning), .. more.Where(m => !processes.Contains(m))];
        }

        // 2. Shared memory the killed servers left (once nothing is attached any more).
        foreach (var (shmid, key) in segments)
            if (await RemoveSegmentAsync(shmid, key, ct)) removed.Add(new RunResource(SharedMemory, shmid.ToString(CultureInfo.InvariantCulture)));

        // 3. Veths, namespaces, the bridge (one `ip -force -batch`, which goes on past a missing name), the rule, the directories.
        var links = found.Where(r => r.Kind == Veth).Concat(found.Where(r => r.Kind == Namespace)).Concat(found.Where(r => r.Kind == Bridge)).ToList();
        if (links.Count > 0)
        {
            var batch = string.Concat(links.Select(r => r.Kind == Namespace ? $"netns del {r.Name}\n" : $"link del {r.Name}\n"));
            await HostCommand.RunAsync(["ip", "-force", "-batch", "-"], ct, batch);
        }
        foreach (var rule in found.Where(r => r.Kind == Iptables))
            for (var i = 0; i < 10 && (await HostCommand.RunAsync(["iptables", "-D", .. rule.Name.Split(' ')], ct)).Succeeded; i++) { }
        foreach (var dir in found.Where(r => r.Kind == Directory && IsRunDirectory(r.Name)))
            await HostCommand.RunAsync(["rm", "-rf", "--one-file-system", dir.Name], ct);

        // What is still there now could not be removed.
        var left = await FindAsync(marker, ct);
        removed.AddRange(found.Where(r => r.Kind != RunResource.ProcessKind && r.Kind != SharedMemory && !left.Contains(r)));
        return new LeftoverRemoval(removed, [.. left.Select(r => $"{r} is still there")]);
    }

    private static async Task<bool> ExistsAsync(RunResource r, CancellationToken ct) => r.Kind switch
    {
        RunResource.ProcessKind => IsRunning(r),
        Namespace => File.Exists($"/run/netns/{r.Name}"),
        Veth or Bridge => System.IO.Directory.Exists($"/sys/class/net/{r.Name}"),
        // without root the rule cannot be listed: count it as there
        Iptables => !Environment.IsPrivilegedProcess || (await HostCommand.RunAsync(["iptables", "-C", .. r.Name.Split(' ')], ct)).Succeeded,
        Directory => System.IO.Directory.Exists(r.Name),
        _ => true,
    };

    /// <summary>A guard against a damaged marker: only a run directory's shape (/dev/shm/h1a2b, /tmp/h1a2b) is removed.</summary>
    private static bool IsRunDirectory(string path) =>
        Path.IsPathFullyQualified(path) && Path.GetDirectoryName(path) is "/dev/shm" or "/tmp" && Path.GetFileName(path) is ['h', _, ..];

    private static bool IsRunning(RunResource process) =>
        int.TryParse(process.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && process.StartTime is { } start
        && LocalProcess.IsRunning(pid, start);

    /// <summary>SIGKILL (which also ends a SIGSTOPped process), then SIGCONT for good measure; only while the start time matches.</summary>
    private static void Kill(RunResource process)
    {
        if (!IsRunning(process)) return;
        var pid = int.Parse(process.Name, CultureInfo.InvariantCulture);
        HostProcesses.Send(pid, HostProcesses.SigKill);
        HostProcesses.Send(pid, HostProcesses.SigCont);
    }

    /// <summary>Every process inside the existing namespaces among <paramref name="resources"/> (needs root).</summary>
    private static async Task<List<int>> PidsInNamespacesAsync(IEnumerable<RunResource> resources, CancellationToken ct)
    {
        var pids = new List<int>();
        if (!Environment.IsPrivilegedProcess) return pids;
        foreach (var ns in resources.Where(r => r.Kind == Namespace && File.Exists($"/run/netns/{r.Name}")))
        {
            var listed = await HostCommand.RunAsync(["ip", "netns", "pids", ns.Name], ct);
            foreach (var line in listed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0 && !pids.Contains(pid)) pids.Add(pid);
        }
        return pids;
    }

    /// <summary>The System V segments (shmid, key) that exist now and are named by a postmaster.pid (PostgreSQL's lock
    /// file: line 7 is "key shmid") under the run's existing directories. Key and id must both match.</summary>
    private static async Task<List<(int Shmid, long Key)>> SegmentsAsync(IEnumerable<RunResource> resources, CancellationToken ct)
    {
        var named = new List<(int, long)>();
        var options = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 4, IgnoreInaccessible = true };
        foreach (var dir in resources.Where(r => r.Kind == Directory && System.IO.Directory.Exists(r.Name)))
            foreach (var file in System.IO.Directory.EnumerateFiles(dir.Name, "postmaster.pid", options))
            {
                string[] lines;
                try { lines = await File.ReadAllLinesAsync(file, ct); }
                catch (IOException) { continue; }
                var parts = lines.Length >= 7 ? lines[6].Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
                if (parts.Length >= 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var key)
                    && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var shmid))
                    named.Add((shmid, key));
            }
        if (named.Count == 0) return [];
        var existing = await ListSegmentsAsync(ct);
        return [.. named.Distinct().Where(n => existing.Any(e => e.Shmid == n.Item1 && e.Key == n.Item2))];
    }

    /// <summary>Removes a segment once nothing is attached (killed servers detach as they finish dying); false when
    /// it is gone already, is not this key any more, or stays attached.</summary>
    private static async Task<bool> RemoveSegmentAsync(int shmid, long key, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 40; attempt++)
        {
            var segment = (await ListSegmentsAsync(ct)).FirstOrDefault(s => s.Shmid == shmid && s.Key == key);
            if (segment == default) return false;
            if (segment.Attached == 0)
                return (await HostCommand.RunAsync(["ipcrm", "-m", shmid.ToString(CultureInfo.InvariantCulture)], ct)).Succeeded;
            await Task.Delay(50, ct);
        }
        return false;
    }

    /// <summary><c>ipcs -m</c>: key (hex), shmid, owner, perms, bytes, nattch.</summary>
    private static async Task<List<(int Shmid, long Key, long Attached)>> ListSegmentsAsync(CancellationToken ct)
    {
        var segments = new List<(int, long, long)>();
        foreach (var line in (await HostCommand.RunAsync(["ipcs", "-m"], ct)).Stdout.Split('\n'))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 6 && f[0].StartsWith("0x", StringComparison.Ordinal)
                && long.TryParse(f[0][2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var key)
                && int.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var shmid)
                && long.TryParse(f[5], NumberStyles.None, CultureInfo.InvariantCulture, out var attached))
                segments.Add((shmid, key, attached));
        }
        return segments;
    }
}
