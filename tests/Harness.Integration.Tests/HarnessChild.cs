using System.Diagnostics;
using Harness.Cli;
using Harness.Core.Control;

namespace Harness.Integration.Tests;

/// <summary>The CLI as the cleanup tests use it: a real harness in a child process (to kill with kill -9), and
/// <c>harness cleanup</c> in-process.</summary>
internal static class HarnessChild
{
    /// <summary>`dotnet harness.dll ARGS` in a child process, its output drained; at nice 19 when
    /// <paramref name="niced"/> (nice execs dotnet: the PID is the harness's).</summary>
    public static Process Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, bool niced = false)
    {
        var psi = new ProcessStartInfo(niced ? "nice" : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        if (niced) foreach (var a in new[] { "-n", "19", "dotnet" }) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "harness.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        var child = Process.Start(psi)!; // not shell-executed, so never null
        child.OutputDataReceived += (_, _) => { };
        child.ErrorDataReceived += (_, _) => { };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        return child;
    }

    /// <summary>`dotnet harness.dll ARGS` in a child process to its end (killed after 5 minutes), with
    /// <paramref name="environment"/> added, as <paramref name="user"/> (setpriv, HOME=/tmp) when given: its exit code and
    /// everything it printed.</summary>
    public static async Task<(int Exit, string Output)> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? user = null)
    {
        var psi = new ProcessStartInfo(user is null ? "dotnet" : "setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["DOTNET_EnableDiagnostics"] = "0";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        if (user is not null)
            foreach (var a in new[] { $"--reuid={user}", "--regid=nogroup", "--clear-groups", "env", "HOME=/tmp", "dotnet" }) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "harness.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!; // not shell-executed, so never null
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var bounded = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await p.WaitForExitAsync(bounded.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }
        return (p.ExitCode, await stdout + await stderr);
    }

    /// <summary>If a test failed half-way: the child is killed and what it recorded removed.</summary>
    public static async Task KillAndCleanAsync(Process child)
    {
        if (!child.HasExited)
        {
            Syscalls.Kill(child.Id, 9);
            await child.WaitForExitAsync();
        }
        if (RunLedger.ReadAll().Any(m => m.Marker.HarnessPid == child.Id)) await CleanupAsync();
    }

    /// <summary>`harness cleanup ARGS` in-process: its exit code and everything it printed.</summary>
    public static async Task<(int Exit, string Output)> CleanupAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(["cleanup", .. args], stdout, stderr);
        return (exit, stdout.ToString() + stderr);
    }
}
