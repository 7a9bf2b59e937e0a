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

    private static JsonNode? Find(JsonNode node, string name) =>
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
