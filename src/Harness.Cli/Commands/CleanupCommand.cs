using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Harness.Core;
using Harness.Core.Control;

namespace Harness.Cli.Commands;

/// <summary>
/// <c>harness cleanup [--dry-run]</c>: removes what runs whose harness process is gone (killed with kill -9, by the
/// OOM killer, during teardown; or left running with --leave-db-running) recorded in their markers under
/// /run/harness, and nothing else. Each provisioner removes the kinds of resource it recorded; the .NET diagnostic
/// files of the dead harness process go too. Runs whose harness still runs are left alone.
/// </summary>
internal static class CleanupCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "List what would be removed, remove nothing" };
        var command = new Command("cleanup", "Remove what killed runs left behind (namespaces, containers, links, iptables rules, servers, private dockerds, run directories), from their markers in /run/harness")
        {
            dryRun,
        };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(dryRun), parse.InvocationConfiguration.Output, ct));
        return command;
    }

    private static async Task<int> RunAsync(bool dryRun, TextWriter output, CancellationToken ct)
    {
        if (!Environment.IsPrivilegedProcess)
            throw new UserErrorException("cleanup needs root (it removes namespaces, bridges, iptables rules and servers); run it as root, e.g. sudo ./harness cleanup");
        var clock = Stopwatch.StartNew();
        int cleaned = 0, alive = 0, unknown = 0;
        foreach (var (path, marker) in RunLedger.ReadAll())
        {
            var who = $"{marker.RunId} ({marker.Provisioner}, harness pid {marker.HarnessPid}, started {marker.Started.ToLocalTime():yyyy-MM-dd HH:mm:ss}";
            if (marker.IsAlive)
            {
                alive++;
                await output.WriteLineAsync($"harness: {who}): still running, left alone");
                continue;
            }
            who += marker.LeftRunning ? ", left running with --leave-db-running)" : ", killed)";
            IProvisioner provisioner;
            try
            {
                provisioner = Suites.CleanupProvisioner(marker.Provisioner, TextWriter.Null);
            }
            catch (UserErrorException)
            {
                unknown++;
                await output.WriteLineAsync($"harness: {who}: recorded by provisioner '{marker.Provisioner}', which this harness does not know; left alone");
                continue;
            }
            var diagnostics = marker.DiagnosticFiles.Where(File.Exists).ToList();
            if (dryRun)
            {
                var found = await provisioner.FindLeftoversAsync(marker, ct);
                cleaned++;
                await output.WriteLineAsync($"harness: {who}: would remove {Describe(found, diagnostics.Count)}");
                continue;
            }
            var removal = await provisioner.RemoveLeftoversAsync(marker, ct);
            foreach (var file in diagnostics) File.Delete(file);
            cleaned++;
            if (removal.Failures.Count == 0) RunLedger.DeleteFile(path);
            await output.WriteLineAsync($"harness: {who}: removed {Describe(removal.Removed, diagnostics.Count)}");
            foreach (var failure in removal.Failures)
                await output.WriteLineAsync($"harness:   could not remove: {failure} (the marker {path} is kept; run 'harness cleanup' again)");
        }
        var seconds = clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
        var summary = cleaned == 0 && alive == 0 && unknown == 0
            ? "nothing was left behind"
            : $"{Count(cleaned, "run")} {(dryRun ? "would be cleaned (--dry-run: nothing removed)" : "cleaned")}, {Count(alive, "live run")} left alone"
              + (unknown > 0 ? $", {Count(unknown, "run")} of unknown provisioners left alone" : "");
        await output.WriteLineAsync($"harness: cleanup: {summary} ({seconds} s)");
        return 0;
    }

    /// <summary>
    /// Before a test: one line on <paramref name="error"/> when runs whose harness was killed left resources behind.
    /// Never fails (a marker that cannot be read or checked is skipped).
    /// </summary>
    public static async Task WarnAboutLeftoversAsync(TextWriter error, CancellationToken ct)
    {
        try
        {
            var runs = 0;
            var kinds = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (_, marker) in RunLedger.ReadAll())
            {
                if (marker.IsAlive || marker.LeftRunning) continue;
                var found = await Suites.CleanupProvisioner(marker.Provisioner, TextWriter.Null).FindLeftoversAsync(marker, ct);
                if (found.Count == 0) continue;
                runs++;
                kinds.UnionWith(found.Select(r => r.Kind));
            }
            if (runs == 0) return;
            var words = kinds.OrderBy(Rank).Select(Plural).Distinct();
            await error.WriteLineAsync($"harness: warning: {Count(runs, "killed run")} left resources behind ({string.Join(", ", words)}); run 'harness cleanup'");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // a warning only: never in the way of the test
        }
    }

    /// <summary>"17 processes, 3 namespaces, 3 veths, bridge hb1a2b, FORWARD rule, directory /dev/shm/h1a2b, ...".</summary>
    internal static string Describe(IReadOnlyList<RunResource> resources, int diagnosticFiles)
    {
        var parts = resources.GroupBy(r => r.Kind).OrderBy(g => Rank(g.Key)).Select(g => (g.Key, List: g.ToList())).Select(g => g.Key switch
        {
            RunResource.ProcessKind => Count(g.List.Count, "process", "processes"),
            "iptables" when g.List.Count == 1 && g.List[0].Name.StartsWith("FORWARD ", StringComparison.Ordinal) => "FORWARD rule",
            "iptables" => Count(g.List.Count, "iptables rule"),
            "sysv-shm" => Count(g.List.Count, "shared memory segment"),
            var kind when g.List.Count == 1 => $"{kind} {g.List[0].Name}",
            "directory" => Count(g.List.Count, "directory", "directories"),
            var kind => Count(g.List.Count, kind),
        }).ToList();
        if (diagnosticFiles > 0) parts.Add(Count(diagnosticFiles, ".NET diagnostic file"));
        return parts.Count == 0 ? "nothing (already gone)" : string.Join(", ", parts);
    }

    /// <summary>The order kinds are named in (namespaces and processes first: what costs the most).</summary>
    private static int Rank(string kind) =>
        Array.IndexOf(KindOrder, kind) is var i and >= 0 ? i : KindOrder.Length;

    private static readonly string[] KindOrder = ["namespace", "container", "network", "dockerd", RunResource.ProcessKind, "veth", "bridge", "iptables", "mount", "directory", "sysv-shm"];

    private static string Plural(string kind) => kind switch
    {
        RunResource.ProcessKind => "processes",
        "namespace" => "namespaces",
        "veth" or "bridge" => "links",
        "iptables" => "iptables rules",
        "directory" => "directories",
        "sysv-shm" => "shared memory",
        "dockerd" => "private dockerd",
        _ => kind + "s",
    };

    private static string Count(int n, string singular, string? plural = null) =>
        $"{n} {(n == 1 ? singular : plural ?? singular + "s")}";
}
