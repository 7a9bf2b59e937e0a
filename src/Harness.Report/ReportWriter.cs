using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Core;
using Harness.Core.Histories;
using Harness.Core.Running;

namespace Harness.Report;

/// <summary>
/// Writes report.html (one self-contained file: template + embedded JSON, no network) and results/index.html.
/// The runner calls <see cref="WriteRun(string)"/> after each run; <c>harness report</c> calls the same API.
/// </summary>
public static class ReportWriter
{
    /// <summary>
    /// Writes &lt;runDir&gt;/report.html from history.jsonl, results.json and test.json (the last two optional), then
    /// regenerates the results index when runDir sits in a results root (see <see cref="FindResultsRoot"/>).
    /// Returns the report's path.
    /// </summary>
    public static string WriteRun(string runDir) => WriteRun(runDir, null);

    /// <summary>
    /// Like <see cref="WriteRun(string)"/>, writing the report to <paramref name="outPath"/> when given. A torn final
    /// line of history.jsonl (a run killed mid-write) becomes a note on the page; an unreadable line before it throws
    /// <see cref="HistoryFormatException"/>. <paramref name="warn"/> hears the history's warnings too.
    /// </summary>
    public static string WriteRun(string runDir, string? outPath, Action<string>? warn = null)
    {
        var path = Path.Combine(runDir, RunFiles.History);
        if (!File.Exists(path))
            throw new UserErrorException($"{runDir} has no {RunFiles.History}; pass a run directory (results/<test>/<time>/) or a history file");
        var history = HistoryJson.ReadFile(path);
        foreach (var warning in history.Warnings) warn?.Invoke(warning);
        var input = LoadRun(runDir, history, path);
        var report = outPath ?? Path.Combine(runDir, RunFiles.Report);
        Write(input, report);
        if (outPath is null && FindResultsRoot(runDir) is { } root) WriteIndex(root);
        return report;
    }

    /// <summary>
    /// A report input for a history with the run's results.json and test.json, when they sit in
    /// <paramref name="runDir"/>. Unreadable JSON files become a note on the page, not an error.
    /// </summary>
    public static ReportInput LoadRun(string runDir, History history, string source)
    {
        var test = ReadObject(Path.Combine(runDir, RunFiles.Test), out var testProblem);
        var results = ReadObject(Path.Combine(runDir, RunFiles.Results), out var resultsProblem);
        if (resultsProblem is not null)
            results = new JsonObject { ["checker"] = RunFiles.Results, ["valid"] = "unknown", ["validity"] = "unknown", ["summary"] = resultsProblem };
        if (testProblem is not null) test = new JsonObject { ["note"] = testProblem };
        var lag = LagLog.ReadRun(runDir);
        var title = (string?)test?["name"] ?? $"{Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(runDir).TrimEnd('/')))} {Path.GetFileName(Path.GetFullPath(runDir).TrimEnd('/'))}".Trim();
        return new ReportInput
        {
            History = history, Title = title, ResultsJson = results, Test = test, Source = source,
            Lag = lag?.Samples ?? [], Notes = lag?.Warnings ?? [],
        };
    }

    /// <summary>
    /// Writes one report file (atomically: a temporary file, then a rename); throws <see cref="UserErrorException"/>
    /// when <paramref name="path"/> is a directory or cannot be written.
    /// </summary>
    public static void Write(ReportInput input, string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new UserErrorException($"cannot write the report to {path}: it is a directory; pass a file name, e.g. {Path.Combine(path, RunFiles.Report)}");
        WriteAtomically(full, temp =>
        {
            using var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            Write(input, stream);
        }, "pass --out with a file you can write");
    }

    /// <summary>Writes <paramref name="path"/> through a temporary file and a rename; an I/O failure is a one-line <see cref="UserErrorException"/>.</summary>
    private static void WriteAtomically(string path, Action<string> write, string hint)
    {
        var temp = path + $".{Environment.ProcessId}.tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            write(temp);
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserErrorException($"cannot write {path}: {e.Message.TrimEnd('.')}; {hint}");
        }
        finally
        {
            try { if (File.Exists(temp)) File.Delete(temp); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    /// <summary>Writes one report to a stream.</summary>
    public static void Write(ReportInput input, Stream output) =>
        ReportTemplate.Write(output, ReportData.ToUtf8(input, DateTimeOffset.UtcNow));

    /// <summary>
    /// Regenerates &lt;resultsRoot&gt;/index.html: every run, newest first, with verdict colours. Returns its path;
    /// throws <see cref="UserErrorException"/> when it cannot be written.
    /// </summary>
    public static string WriteIndex(string resultsRoot)
    {
        var path = Path.Combine(resultsRoot, RunFiles.Index);
        var html = RunIndex.Html(RunIndex.Scan(resultsRoot), DateTimeOffset.UtcNow, MatrixIndex.Scan(resultsRoot));
        WriteAtomically(path, temp => File.WriteAllText(temp, html), "the results directory must be writable");
        return path;
    }

    /// <summary>
    /// The results root of a run directory &lt;root&gt;/&lt;test&gt;/&lt;time&gt;/: its grandparent, when that is named
    /// "results", has a "latest" entry (the runner's link to the newest run) or already holds an index.html written
    /// by the harness; otherwise null.
    /// </summary>
    public static string? FindResultsRoot(string runDir)
    {
        var dir = new DirectoryInfo(Path.GetFullPath(runDir).TrimEnd('/'));
        if (dir.LinkTarget is not null && dir.ResolveLinkTarget(returnFinalTarget: true) is { } target) dir = new DirectoryInfo(target.FullName); // results/latest
        var root = dir.Parent?.Parent;
        if (root is null) return null;
        if (root.Name == "results") return root.FullName;
        var latest = Path.Combine(root.FullName, "latest");
        if (Directory.Exists(latest) || File.Exists(latest)) return root.FullName;
        var index = Path.Combine(root.FullName, RunFiles.Index);
        return File.Exists(index) && RunIndex.IsOurs(index) ? root.FullName : null;
    }

    private static JsonObject? ReadObject(string path, out string? problem)
    {
        problem = null;
        if (!File.Exists(path)) return null;
        try
        {
            if (JsonNode.Parse(File.ReadAllText(path)) is JsonObject o) return o;
            problem = $"{Path.GetFileName(path)} does not hold a JSON object";
        }
        catch (JsonException e)
        {
            problem = $"{Path.GetFileName(path)} is not valid JSON: {e.Message}";
        }
        catch (IOException e)
        {
            problem = $"cannot read {Path.GetFileName(path)}: {e.Message}";
        }
        return null;
    }
}
