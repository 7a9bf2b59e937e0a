using System.Runtime.InteropServices;

namespace Harness.Integration.Tests;

internal static partial class Syscalls
{
    /// <summary>kill(2): sends a signal to one process by PID.</summary>
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
