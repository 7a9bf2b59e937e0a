using System.Globalization;
using System.Runtime.InteropServices;

namespace Harness.Provisioning;

/// <summary>Processes on the controller: POSIX signals by PID (never by name: all namespaces share one PID
/// space), liveness, and process trees read from /proc. Shared by the provisioners that run nodes on this host.</summary>
public static partial class HostProcesses
{
    public const int SigKill = 9;
    public const int SigTerm = 15;
    public const int SigCont = 18;
    public const int SigStop = 19;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false when the process does not exist.</summary>
    public static bool Send(int pid, int signal) => pid > 0 && Kill(pid, signal) == 0;

    /// <summary>True while the process runs: /proc/&lt;pid&gt; exists and it is not a zombie (a dead process
    /// waiting for PID 1 to reap it holds no resources, not even its network namespace).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return true; }
    }

    /// <summary>Signals a process, or with <paramref name="withChildren"/> it and every descendant, listed first and
    /// then signalled in one tight loop so the whole tree stops (or dies) at nearly one instant: stop and kill reach
    /// the root first (it forks no more), continue reaches the descendants first; a kill also continues the tree,
    /// so a stopped process dies at once.</summary>
    public static void SignalTree(int pid, Harness.Core.Control.ProcessSignal signal, bool withChildren)
    {
        IReadOnlyList<int> descendants = withChildren ? DescendantsOf(pid) : [];
        List<int> order = signal == Harness.Core.Control.ProcessSignal.Cont ? [.. descendants, pid] : [pid, .. descendants];
        foreach (var p in order) Send(p, (int)signal);
        if (signal == Harness.Core.Control.ProcessSignal.Kill)
            foreach (var p in order) Send(p, SigCont);
    }

    /// <summary>The PID of a host process inside its own PID namespace (the last NSpid field), or the PID itself.</summary>
    public static int InnerPid(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("NSpid:", StringComparison.Ordinal));
            var last = line?.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
            return int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var inner) ? inner : pid;
        }
        catch (IOException) { return pid; }
        catch (UnauthorizedAccessException) { return pid; }
    }

    /// <summary>Every descendant of <paramref name="root"/> (children before grandchildren), from /proc.</summary>
    public static IReadOnlyList<int> DescendantsOf(int root)
    {
        var parents = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ppid = int.Parse(fields[1], CultureInfo.InvariantCulture);
                if (!parents.TryGetValue(ppid, out var children)) parents[ppid] = children = [];
                children.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        var result = new List<int>();
        var queue = new Queue<int>([root]);
        while (queue.TryDequeue(out var p))
            foreach (var child in parents.GetValueOrDefault(p) ?? [])
            {
                result.Add(child);
                queue.Enqueue(child);
            }
        return result;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int sig);
}
