using Harness.Core.Checking;
using Harness.Core.Histories;
using Harness.Core.Running;
using Harness.Report;

namespace Harness.Cli;

/// <summary>
/// <c>harness check results/&lt;test&gt;/&lt;time&gt;</c>: re-checks a stored run with the checkers of its test,
/// rebuilt from test.json, then rewrites results.json and report.html (Jepsen's analyze).
/// </summary>
internal static class RunRecheck
{
    /// <summary>True for a directory written by <c>harness test</c> (it holds test.json); links such as results/latest count.</summary>
    public static bool IsRunDirectory(string path) => Directory.Exists(path) && File.Exists(Path.Combine(path, ResultStore.TestFile));

    /// <summary>The result with the anomalies of its sub-results lifted to the top (for the text output).</summary>
    public static CheckResult WithChildAnomalies(CheckResult result) =>
        result with { Anomalies = [.. result.Anomalies, .. result.Children.SelectMany(c => WithChildAnomalies(c).Anomalies)] };

    /// <summary>Re-checks a run; <paramref name="warn"/> hears what reading its history skipped (a torn final line).</summary>
    public static CheckResult Check(string runDirectory, Action<string>? warn, CancellationToken ct)
    {
        var options = ResultStore.ReadOptions(runDirectory);
        var workload = Workloads.Workloads.Create(options);
        var history = HistoryJson.ReadFile(Path.Combine(runDirectory, ResultStore.HistoryFile));
        foreach (var warning in history.Warnings) warn?.Invoke(warning);
        var result = TestRunner.CheckHistory(ResultStore.ReadTestName(runDirectory), workload.Checker, history, interrupted: false, crash: null, ct);
        ResultStore.WriteResults(runDirectory, result);
        try
        {
            ReportWriter.WriteRun(runDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // the verdict stands without a report
        }
        return result;
    }
}
