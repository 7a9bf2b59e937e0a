using System.Runtime.InteropServices;

namespace Harness.Provisioning.Netns;

/// <summary>POSIX signals sent by PID (never by name: all namespaces share one PID space).</summary>
internal static partial class NativeSignals
{
    public const int SigKill = 9;
    public const int SigTerm = 15;
    public const int SigCont = 18;
    public const int SigStop = 19;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false when the process does not exist.</summary>
    public static bool Send(int pid, int signal) => pid > 0 && Kill(pid, signal) == 0;

    /// <summary>True while /proc/&lt;pid&gt; exists (a zombie counts as alive).</summary>
    public static bool Exists(int pid) => Directory.Exists($"/proc/{pid}");

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int sig);
}
