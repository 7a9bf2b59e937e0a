using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Harness.Cli;
using Harness.Core.Control;
using Harness.Testing;
using Xunit.Abstractions;

namespace Harness.Integration.Tests;

/// <summary>
/// `harness cleanup` against real runs killed with kill -9: a real `harness test postgres` in a child process, its
/// marker in /run/harness, what it leaves on the machine, and that cleanup removes exactly that (and leaves a live
/// run alone).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed partial class CleanupTests(ITestOutputHelper log)
{
    [IntegrationFact("postgres", "iptables")]
    public async Task Should_LeaveALiveRunAlone_AndRemoveEverything_When_TheHarnessIsKilledDuringAPause()
    {
        await Capabilities.RequireAsync("ip", "iptables", "postgres");
        var results = Directory.CreateTempSubdirectory("harness-cleanup-").FullName;
        var before = await MachineSnapshot.TakeAsync();
        using var child = StartHarness("test", "postgres", "--workload", "register", "--nemesis", "pause", "--nemesis-interval", "2",
            "--time-limit", "120", "--results", results, "--plain");
        try
        {
            // Given a run whose three servers are up (each recorded in the run's marker as it started)
            var (path, marker) = await WaitForMarkerAsync(child, m => m.Resources.Count(r => r.Kind == RunResource.ProcessKind) >= 3);
            var namespaces = marker.Resources.Where(r => r.Kind == "namespace").Select(r => r.Name).ToList();
            Assert.Equal(3, namespaces.Count);

            // When harness cleanup runs while the run is alive
            var (exit, output) = await CleanupAsync();

            // Then it says so and touches nothing of it
            Assert.Equal(0, exit);
            Assert.Contains($"{marker.RunId} (netns, harness pid {child.Id}", output, StringComparison.Ordinal);
            Assert.Contains("still running, left alone", output, StringComparison.Ordinal);
            Assert.True(File.Exists(path));
            Assert.All(namespaces, ns => Assert.True(File.Exists($"/run/netns/{ns}"), ns));
            Assert.All(Processes(RunLedger.Read(path)!), p => Assert.True(LocalProcess.IsRunning(p.Pid, p.Start), $"process {p.Pid}"));

            // Given a server SIGSTOPped by the pause nemesis, when the harness is killed with kill -9
            var stopped = await WaitForAsync(() => Processes(RunLedger.Read(path)!).Select(p => p.Pid).FirstOrDefault(pid => State(pid) == 'T'),
                pid => pid != 0, TimeSpan.FromSeconds(60), "a paused server");
            Assert.Equal(0, Syscalls.Kill(child.Id, 9));
            await child.WaitForExitAsync();
            marker = RunLedger.Read(path)!;

            // Then the cluster stays behind: namespaces, links, the rule, the directory, every server (one stopped for good)
            await Task.Delay(500);
            var left = await MachineSnapshot.NewSinceAsync(before);
            Assert.Contains($"netns {namespaces[0]}", left);
            Assert.Contains($"link hb{marker.RunId}", left);
            Assert.Contains($"dir /dev/shm/h{marker.RunId}", left);
            Assert.Equal('T', State(stopped));
            var inside = await PidsInAsync(namespaces);
            Assert.True(inside.Count >= 3, $"{inside.Count} processes in the namespaces");
            var diagnostics = marker.DiagnosticFiles.Where(File.Exists).ToList();
            log.WriteLine($"left behind: {left.Count} items, {inside.Count} processes, {diagnostics.Count} diagnostic files");

            // And the next test warns, in one line, before it provisions anything
            using (var testOut = new StringWriter())
            using (var testErr = new StringWriter())
            {
                await CliApp.RunAsync(["test", "memory", "--time-limit", "0.5", "--recovery-time", "0", "--results", results, "--plain"], testOut, testErr);
                Assert.Matches(WarningLine(), testErr.ToString());
            }

            // When cleanup runs with --dry-run, it lists the run and removes nothing
            (exit, output) = await CleanupAsync("--dry-run");
            Assert.Equal(0, exit);
            Assert.Contains($"{marker.RunId} (netns, harness pid {child.Id}", output, StringComparison.Ordinal);
            Assert.Contains("killed): would remove ", output, StringComparison.Ordinal);
            Assert.Equal(left, await MachineSnapshot.NewSinceAsync(before));
            Assert.True(File.Exists(path));

            // When cleanup runs
            var clock = Stopwatch.StartNew();
            (exit, output) = await CleanupAsync();
            log.WriteLine($"cleanup took {clock.Elapsed.TotalSeconds:0.00} s:\n{output}");

            // Then it names what it removed, and nothing of the run is left: no namespace, link, rule, directory,
            // shared memory segment, server (the stopped one included), diagnostic file or marker
            Assert.Equal(0, exit);
            Assert.Matches($@"{marker.RunId} \(netns, harness pid {child.Id}, started [^)]*, killed\): removed 3 namespaces, \d+ processes, ", output);
            Assert.Empty(await MachineSnapshot.NewSinceAsync(before));
            Assert.All(inside, pid => Assert.True(State(pid) is 'Z' or '\0', $"process {pid} is {State(pid)}"));
            Assert.DoesNotContain(marker.DiagnosticFiles, File.Exists);
            Assert.False(File.Exists(path));
        }
        finally
        {
            await KillAndCleanAsync(child);
            Directory.Delete(results, recursive: true);
        }
    }

    [IntegrationFact("postgres", "iptables")]
    public Task Should_FinishTheTeardown_When_TheHarnessIsKilledDuringTheDatabaseTeardown() =>
        KilledDuringTeardownAsync("log collection: done");

    [IntegrationFact("postgres", "iptables")]
    public Task Should_FinishTheTeardown_When_TheHarnessIsKilledDuringTheClusterTeardown() =>
        KilledDuringTeardownAsync("database teardown: done");

    /// <summary>Kills the harness (kill -9) as soon as its log shows <paramref name="step"/>, then cleans up. The
    /// harness runs at nice 19 so that its teardown is slower than the test's reaction on a loaded machine; when it
    /// still finishes first (its marker is gone), the run is tried again, at most three times.</summary>
    private async Task KilledDuringTeardownAsync(string step)
    {
        await Capabilities.RequireAsync("ip", "iptables", "postgres");
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var results = Directory.CreateTempSubdirectory("harness-cleanup-").FullName;
            var before = await MachineSnapshot.TakeAsync();
            using var child = StartHarness(niced: true, "test", "postgres", "--workload", "register", "--time-limit", "3", "--recovery-time", "0",
                "--results", results, "--plain");
            try
            {
                // Given a run in its teardown (just past the given step)
                var (path, _) = await WaitForMarkerAsync(child, m => m.Resources.Any(r => r.Kind == RunResource.ProcessKind));
                await WaitForAsync(async () => await ReadLogAsync(results), l => l.Contains(step, StringComparison.Ordinal),
                    TimeSpan.FromSeconds(120), "the teardown", TimeSpan.FromMilliseconds(5));

                // When the harness is killed there with kill -9
                // (the kill fails when the harness already finished and was reaped: then it must have removed its marker)
                var killed = Syscalls.Kill(child.Id, 9) == 0;
                await child.WaitForExitAsync();
                if (!killed) Assert.False(File.Exists(path), "the harness exited on its own but left its marker");
                if (!File.Exists(path))
                {
                    log.WriteLine($"attempt {attempt}: the teardown finished before the kill");
                    Assert.Empty(await MachineSnapshot.NewSinceAsync(before));
                    continue;
                }

                // Then its marker is left with what was not removed yet, and cleanup removes the rest, idempotently
                var marker = RunLedger.Read(path)!;
                log.WriteLine($"attempt {attempt}: killed during teardown; left: {string.Join(", ", await MachineSnapshot.NewSinceAsync(before))}");
                var (exit, output) = await CleanupAsync();
                log.WriteLine(output);
                Assert.Equal(0, exit);
                Assert.Contains($"{marker.RunId} (netns, harness pid {child.Id}", output, StringComparison.Ordinal);
                Assert.Empty(await MachineSnapshot.NewSinceAsync(before));
                Assert.False(File.Exists(path));
                (exit, output) = await CleanupAsync();
                Assert.Equal(0, exit);
                Assert.DoesNotContain(marker.RunId, output, StringComparison.Ordinal);
                return;
            }
            finally
            {
                await KillAndCleanAsync(child);
                Directory.Delete(results, recursive: true);
            }
        }
        Assert.Fail($"three runs finished their teardown before the kill after '{step}'");
    }

    [IntegrationFact("postgres", "iptables")]
    public async Task Should_RemoveALeftRunningCluster_When_ItsHarnessHasExited()
    {
        await Capabilities.RequireAsync("ip", "iptables", "postgres");
        var results = Directory.CreateTempSubdirectory("harness-cleanup-").FullName;
        var before = await MachineSnapshot.TakeAsync();
        using var child = StartHarness("test", "postgres", "--workload", "register", "--time-limit", "2", "--recovery-time", "0",
            "--leave-db-running", "--results", results, "--plain");
        try
        {
            // Given a run with --leave-db-running that has finished (its harness exited normally)
            var (path, _) = await WaitForMarkerAsync(child, m => m.Resources.Any(r => r.Kind == RunResource.ProcessKind));
            await child.WaitForExitAsync();
            Assert.Equal(0, child.ExitCode);

            // Then its cluster and its marker stay, marked as left running, with the servers up
            var marker = RunLedger.Read(path)!;
            Assert.True(marker.LeftRunning);
            Assert.False(marker.IsAlive);
            Assert.All(Processes(marker), p => Assert.True(LocalProcess.IsRunning(p.Pid, p.Start), $"process {p.Pid}"));
            Assert.Contains($"netns h{marker.RunId}n1", await MachineSnapshot.NewSinceAsync(before));

            // When cleanup runs, it removes that run too (its harness is gone), saying it was left running
            var (exit, output) = await CleanupAsync();
            log.WriteLine(output);
            Assert.Equal(0, exit);
            Assert.Contains($"{marker.RunId} (netns, harness pid {child.Id}", output, StringComparison.Ordinal);
            Assert.Contains("left running with --leave-db-running): removed ", output, StringComparison.Ordinal);
            Assert.Empty(await MachineSnapshot.NewSinceAsync(before));
            Assert.All(Processes(marker), p => Assert.False(LocalProcess.IsRunning(p.Pid, p.Start), $"process {p.Pid}"));
            Assert.False(File.Exists(path));
        }
        finally
        {
            await KillAndCleanAsync(child);
            Directory.Delete(results, recursive: true);
        }
    }

    [IntegrationFact("setpriv")]
    public async Task Should_SayInOneLineThatItNeedsRoot_When_NotRoot()
    {
        // When cleanup runs as nobody
        var psi = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--reuid=nobody", "--regid=nogroup", "--clear-groups", "env", "HOME=/tmp", "DOTNET_EnableDiagnostics=0",
                     "dotnet", Path.Combine(AppContext.BaseDirectory, "harness.dll"), "cleanup" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!; // not shell-executed, so never null
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();

        // Then one line says so, exit 254
        Assert.Equal(254, p.ExitCode);
        Assert.Equal("", await stdout);
        Assert.Equal("harness: cleanup needs root (it removes namespaces, bridges, iptables rules and servers); run it as root, e.g. sudo ./harness cleanup\n", stderr);
    }

    [GeneratedRegex(@"^harness: warning: \d+ killed runs? left resources behind \(namespaces, processes, [^)]*\); run 'harness cleanup'$", RegexOptions.Multiline)]
    private static partial Regex WarningLine();

    private static Process StartHarness(params string[] args) => HarnessChild.Start(args);

    private static Process StartHarness(bool niced, params string[] args) => HarnessChild.Start(args, niced: niced);

    private static Task<(int Exit, string Output)> CleanupAsync(params string[] args) => HarnessChild.CleanupAsync(args);

    private static Task KillAndCleanAsync(Process child) => HarnessChild.KillAndCleanAsync(child);

    private static Task<(string Path, RunMarker Marker)> WaitForMarkerAsync(Process child, Func<RunMarker, bool> ready) =>
        WaitForAsync(() => RunLedger.ReadAll().FirstOrDefault(m => m.Marker.HarnessPid == child.Id),
            m => m.Marker is not null && ready(m.Marker), TimeSpan.FromSeconds(120), "the run's marker");

    private static Task<T> WaitForAsync<T>(Func<T> probe, Func<T, bool> done, TimeSpan timeout, string what) =>
        WaitForAsync(() => Task.FromResult(probe()), done, timeout, what, TimeSpan.FromMilliseconds(100));

    private static async Task<T> WaitForAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what, TimeSpan every)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value)) return value;
            if (clock.Elapsed > timeout) throw new TimeoutException($"no {what} after {timeout.TotalSeconds} s");
            await Task.Delay(every);
        }
    }

    private static IEnumerable<(int Pid, long Start)> Processes(RunMarker marker) =>
        marker.Resources.Where(r => r.Kind == RunResource.ProcessKind).Select(r => (int.Parse(r.Name, CultureInfo.InvariantCulture), r.StartTime ?? 0));

    /// <summary>The state letter in /proc/&lt;pid&gt;/stat (R, S, T, Z...), or '\0' when there is no such process.</summary>
    private static char State(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2];
        }
        catch (IOException)
        {
            return '\0';
        }
    }

    private static async Task<List<int>> PidsInAsync(IEnumerable<string> namespaces)
    {
        var pids = new List<int>();
        foreach (var ns in namespaces)
        {
            var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true };
            foreach (var a in new[] { "netns", "pids", ns }) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!; // not shell-executed, so never null
            var text = await p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync();
            pids.AddRange(text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s.Trim(), CultureInfo.InvariantCulture)));
        }
        return pids;
    }

    private static async Task<string> ReadLogAsync(string results)
    {
        var file = Directory.EnumerateFiles(results, "harness.log", SearchOption.AllDirectories).FirstOrDefault();
        if (file is null) return "";
        await using var s = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var r = new StreamReader(s);
        return await r.ReadToEndAsync();
    }
}
