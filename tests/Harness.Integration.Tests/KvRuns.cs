using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Harness.Cli;
using Harness.Core.Histories;

namespace Harness.Integration.Tests;

/// <summary>
/// A short CLI run of a database (etcd, redis, mariadb) on a real cluster, and what it left behind. Only this run's
/// own leftovers count (its namespaces, links, rules and run directory carry its cluster id, found in harness.log
/// or the node logs, and its servers have the run directory in their arguments), so a cluster another developer runs at the
/// same time on the machine is not mistaken for one.
/// </summary>
internal sealed partial record KvRun(int Exit, string Output, JsonNode Results, History History, string RunDirectory, IReadOnlyList<string> Leftovers, TimeSpan Elapsed)
{
    public string Summary => Results["summary"]?.GetValue<string>() ?? "";

    /// <summary>The checker's node in results.json (as <see cref="CliRun.Checker"/>).</summary>
    public JsonNode Checker(string name) => CliRun.Find(Results, name) ?? throw new InvalidOperationException($"no {name} checker in\n{Results}");

    /// <summary>What a failed assertion prints (<see cref="CliRun.Explain"/>).</summary>
    public string Explained => CliRun.Explain(Output, History);

    public static async Task<KvRun> RunAsync(string database, params string[] args)
    {
        var results = Directory.CreateTempSubdirectory("harness-kv-").FullName;
        var before = await MachineSnapshot.TakeAsync();
        var clock = Stopwatch.StartNew();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(["test", database, .. args, "--results", results, "--plain"], stdout, stderr);
        var elapsed = clock.Elapsed;
        try
        {
            var file = Directory.EnumerateFiles(results, "results.json", SearchOption.AllDirectories).Single(f => !f.Contains("/latest/", StringComparison.Ordinal));
            var dir = Path.GetDirectoryName(file)!; // a file path has a directory
            var logs = string.Concat(Directory.EnumerateFiles(dir, "*.log", SearchOption.AllDirectories).Select(File.ReadAllText));
            var runDir = RunDirectoryPattern().Match(logs) is { Success: true } m ? m.Value : throw new InvalidOperationException($"no run directory in the node logs of {dir}");
            var id = Path.GetFileName(runDir);
            var left = (await MachineSnapshot.NewSinceAsync(before)).Where(i => i.Contains(id[1..], StringComparison.Ordinal)).ToList();
            left.AddRange(await ServersUnderAsync(runDir));
            return new KvRun(exit, $"{stdout}\n{stderr}", JsonNode.Parse(await File.ReadAllTextAsync(file))!, HistoryJson.ReadFile(Path.Combine(dir, "history.jsonl")), runDir, left, elapsed);
        }
        finally
        {
            Directory.Delete(results, recursive: true);
        }
    }

    /// <summary>Processes still running with the run directory in their command line (a server left behind).</summary>
    private static async Task<IReadOnlyList<string>> ServersUnderAsync(string runDir)
    {
        var psi = new ProcessStartInfo("ps", "-eo pid=,stat=,args=") { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!; // not shell-executed, so never null
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.Contains(runDir + "/", StringComparison.Ordinal) && !l.TrimStart().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1].StartsWith('Z'))
            .Select(l => "process " + l.Trim())];
    }

    [GeneratedRegex(@"/(dev/shm|tmp)/h[0-9a-f]{4}(?=/n\d)")]
    private static partial Regex RunDirectoryPattern();
}
