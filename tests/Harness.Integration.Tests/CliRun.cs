using System.Text.Json.Nodes;
using Harness.Cli;
using Harness.Core.Histories;

namespace Harness.Integration.Tests;

/// <summary>One <c>harness test DATABASE ...</c> run through the CLI in-process, into a fresh results directory
/// (removed afterwards): its exit code, output, results.json, history, and whether node n1's log was collected.</summary>
internal sealed record CliRun(int Exit, string Output, JsonNode Results, History History, bool NodeLogCollected)
{
    /// <summary>The checker's node in results.json; the innermost match, since a workload's checker may be composed
    /// under the same name (list-append > list-append, visibility).</summary>
    public JsonNode Checker(string name) => Find(Results, name) ?? throw new InvalidOperationException($"no {name} checker in\n{Results}");

    /// <summary>What a failed assertion prints: <see cref="Output"/> and every fault op with its time since the first op.</summary>
    public string Explained => Explain(Output, History);

    /// <summary>The output and every fault op with its time since the first op, so a run that went wrong only on CI
    /// shows when each fault, heal and promotion came.</summary>
    internal static string Explain(string output, History history)
    {
        var start = history.Count > 0 ? history[0].TimeNanos : 0;
        var faults = history.NemesisOps.Where(o => o.F != "node-state").Select(o => $"{(o.TimeNanos - start) / 1e9,7:F2} s  {o}");
        return $"{output}\nfaults:\n{string.Join('\n', faults)}";
    }

    internal static JsonNode? Find(JsonNode node, string name) =>
        node["children"]?.AsArray().Select(c => Find(c!, name)).FirstOrDefault(c => c is not null)
        ?? (node["checker"]?.GetValue<string>() == name ? node : null);

    /// <param name="database">the suite, as on the command line</param>
    /// <param name="args">the test's options (the results directory and --plain are added)</param>
    /// <param name="nodeLog">the log file of node n1 to look for under logs/n1/ (for example mariadb.log)</param>
    public static async Task<CliRun> RunAsync(string database, IReadOnlyList<string> args, string nodeLog = "")
    {
        var results = Directory.CreateTempSubdirectory($"harness-{database}-").FullName;
        try
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            var exit = await CliApp.RunAsync(["test", database, .. args, "--results", results, "--plain"], stdout, stderr);
            var output = $"{stdout}\n{stderr}";
            var file = Directory.EnumerateFiles(results, "results.json", SearchOption.AllDirectories).SingleOrDefault(f => !f.Contains("/latest/", StringComparison.Ordinal))
                ?? throw new InvalidOperationException($"exit {exit} and no results.json:\n{output}");
            var dir = Path.GetDirectoryName(file)!; // a file path has a directory
            return new CliRun(exit, output, JsonNode.Parse(await File.ReadAllTextAsync(file))!, HistoryJson.ReadFile(Path.Combine(dir, "history.jsonl")),
                nodeLog.Length > 0 && File.Exists(Path.Combine(dir, "logs", "n1", nodeLog)));
        }
        finally
        {
            Directory.Delete(results, recursive: true);
        }
    }
}
