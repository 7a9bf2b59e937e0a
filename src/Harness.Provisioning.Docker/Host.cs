using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Harness.Core.Control;

namespace Harness.Provisioning.Docker;

/// <summary>Runs a program on the host to completion, capturing its output; never throws for a non-zero exit.</summary>
internal static class HostCommand
{
    public static async Task<CommandResult> RunAsync(IReadOnlyList<string> argv, CancellationToken ct, string? stdin = null)
    {
        var psi = new ProcessStartInfo(argv[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
            WorkingDirectory = "/tmp",
        };
        foreach (var a in argv.Skip(1)) psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {argv[0]}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new CommandResult(127, "", $"{argv[0]}: {e.Message}");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(new StringBuilder(stdin), ct);
                process.StandardInput.Close();
            }
            try
            {
                await process.WaitForExitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                throw;
            }
            return new CommandResult(process.ExitCode, await stdout, await stderr);
        }
    }

    public static async Task<CommandResult> RunCheckedAsync(IReadOnlyList<string> argv, CancellationToken ct, string? stdin = null) =>
        (await RunAsync(argv, ct, stdin)).EnsureSuccess(argv);

    public static string LastLine(string s) =>
        s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no output";
}

/// <summary>POSIX signals by host PID, and the host's view of process trees (/proc).</summary>
internal static partial class HostProcesses
{
    public const int SigKill = 9;
    public const int SigTerm = 15;
    public const int SigCont = 18;

    public static bool Send(int pid, int signal) => pid > 0 && Kill(pid, signal) == 0;

    /// <summary>True while the process runs (a zombie is dead).</summary>
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

    /// <summary>Every descendant of <paramref name="root"/> (children before grandchildren), from the host's /proc.</summary>
    public static List<int> DescendantsOf(int root)
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
