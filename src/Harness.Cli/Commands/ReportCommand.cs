using System.CommandLine;
using Harness.Core;
using Harness.Core.Histories.Formats;
using Harness.Report;

namespace Harness.Cli.Commands;

/// <summary>
/// <c>harness report &lt;run dir or history file&gt; [--out F] [--format F] [--results F]</c>: writes a
/// self-contained report.html for a run (results/&lt;test&gt;/&lt;time&gt;/) or any history file.
/// </summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("path") { Description = "A run directory (results/<test>/<time>/) or a history file" };
        var output = new Option<string?>("--out", "-o") { Description = "Where to write the HTML (default: report.html in the run directory, or <history>.report.html)" };
        var format = new Option<string>("--format", "-f") { Description = $"History format: {string.Join("|", HistoryFiles.FormatNames)}", DefaultValueFactory = _ => "auto" };
        var results = new Option<string?>("--results") { Description = "A results.json to show (default: the one in the run directory)" };
        var command = new Command("report", "Write a self-contained HTML report (timeline, faults, anomalies, plots) for a run or a history")
        {
            path, output, format, results,
        };
        command.SetAction(async (parse, ct) =>
        {
            var warnings = new List<string>();
            var written = Run(parse.GetValue(path)!, parse.GetValue(output), parse.GetValue(format) ?? "auto", parse.GetValue(results), warnings.Add);
            foreach (var warning in warnings) await parse.InvocationConfiguration.Error.WriteLineAsync($"harness: {warning}".AsMemory(), ct);
            await parse.InvocationConfiguration.Output.WriteLineAsync($"wrote {written}".AsMemory(), ct);
            return 0;
        });
        return command;
    }

    /// <summary>Writes the report and returns its path.</summary>
    internal static string Run(string path, string? outPath, string format, string? resultsPath, Action<string>? warn = null)
    {
        if (Directory.Exists(path))
        {
            if (resultsPath is not null) throw new UserErrorException("--results applies to a history file; a run directory uses its own results.json");
            return ReportWriter.WriteRun(path, outPath, warn);
        }
        if (!File.Exists(path)) throw new UserErrorException($"{path} does not exist; pass a run directory (results/<test>/<time>/) or a history file");
        var history = HistoryFiles.Read(path, HistoryFiles.ParseFormat(format));
        foreach (var warning in history.Warnings) warn?.Invoke(warning);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var isRunHistory = Path.GetFileName(path) == RunFiles.History;
        var input = isRunHistory
            ? ReportWriter.LoadRun(dir, history, path)
            : new ReportInput { History = history, Title = Path.GetFileName(path), Source = path };
        if (resultsPath is not null)
        {
            if (!File.Exists(resultsPath)) throw new UserErrorException($"--results {resultsPath} does not exist");
            input = input with { ResultsJson = ReadResults(resultsPath) };
        }
        var target = outPath ?? (isRunHistory ? Path.Combine(dir, RunFiles.Report) : Path.ChangeExtension(path, ".report.html"));
        ReportWriter.Write(input, target);
        if (outPath is null && isRunHistory && ReportWriter.FindResultsRoot(dir) is { } root) ReportWriter.WriteIndex(root);
        return target;
    }

    private static System.Text.Json.Nodes.JsonObject ReadResults(string path)
    {
        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path)) as System.Text.Json.Nodes.JsonObject
                ?? throw new UserErrorException($"{path} does not hold a JSON object (expected a results.json)");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new UserErrorException($"{path} is not valid JSON: {e.Message}");
        }
    }
}
