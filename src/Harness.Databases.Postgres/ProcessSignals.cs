using System.Globalization;
using System.Runtime.InteropServices;

namespace Harness.Databases.Postgres;

/// <summary>Signals to a postmaster's whole process tree by PID, sent in one tight loop so that the node stops
/// at (nearly) one instant, as a crash or a freeze would: no backend or WAL sender keeps running meanwhile.</summary>
internal static partial class ProcessSignals
{
    public const int SigKill = 9;
    public const int SigCont = 18;
    public const int SigStop = 19;

    /// <summary>The direct children of <paramref name="pid"/> (PostgreSQL backends and auxiliary processes).</summary>
    public static List<int> ChildrenOf(int pid)
    {
        var result = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var p)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == pid) result.Add(p);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return result;
    }

    /// <summary>Sends <paramref name="signal"/> to every PID, in order.</summary>
    public static void SendAll(IEnumerable<int> pids, int signal)
    {
        foreach (var pid in pids)
            if (pid > 0) _ = Kill(pid, signal);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int sig);
}
