using Harness.Check;
using Harness.Core.Checking;
using Harness.Core.Histories;
using Harness.Core.Running;
using Harness.Report;

namespace Harness.Cli;

/// <summary>
/// <c>harness check results/&lt;test&gt;/&lt;time&gt;</c>: re-checks a stored run with the checkers of its test,
/// rebuilt from test.json, then rewrites results.json and report.html (Jepsen's analyze). A run that did not
/// finish (killed: no final heal, no final reads) is at best unknown, and says why.
/// </summary>
internal static class RunRecheck
{
    /// <summary>What <c>harness check</c> re-checks run directories with.</summary>
    public static CheckCommand.IRunDirectories Directories { get; } = new RunDirectories();

    private sealed class RunDirectories : CheckCommand.IRunDirectories
    {
        public CheckResult Check(string run, Action<string> warn, CancellationToken ct) => RunRecheck.Check(run, warn, ct);
    }

    /// <summary>Re-checks a run; <paramref name="warn"/> hears what reading its history skipped (a torn final line).</summary>
    public static CheckResult Check(string runDirectory, Action<string>? warn, CancellationToken ct)
    {
        var options = ResultStore.ReadOptions(runDirectory);
        var suite = Suites.Find(options.Database);
        var workload = suite.CreateTest(SuiteOptions.Resolve(suite, options)).Workload;
        var history = HistoryJson.ReadFile(Path.Combine(runDirectory, ResultStore.HistoryFile));
        foreach (var warning in history.Warnings) warn?.Invoke(warning);
        var name = ResultStore.ReadTestName(runDirectory);
        // the database's own view of its replication lag, when the run sampled it (lag.jsonl)
        var lag = LagLog.ReadRun(runDirectory);
        foreach (var warning in lag?.Warnings ?? []) warn?.Invoke(warning);
        var result = TestRunner.CheckHistory(name, workload.Checker, history, interrupted: false, crash: null, ct,
            lag is null ? null : [ReplicationSummary.From(lag.Samples)]);
        var unfinished = Unfinished(ResultStore.ReadPhasesDone(runDirectory), options.Faults.Length > 0, workload.Final is not null, history);
        if (unfinished.Count > 0)
            result = Harness.Core.Checking.Checkers.Merge(name, [.. result.Children, CheckResult.Unknown("run", $"the run did not finish: {string.Join(", ", unfinished)}")]);
        ResultStore.WriteResults(runDirectory, result);
        try
        {
            ReportWriter.WriteRun(runDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Harness.Core.UserErrorException)
        {
            // the verdict stands without a report
        }
        return result;
    }

    /// <summary>
    /// Why a stored run did not finish, in words (empty when it did): the phases the runner recorded as completed
    /// (null for a run directory older than that record), and in the history a fault never healed or a torn end.
    /// </summary>
    internal static List<string> Unfinished(IReadOnlySet<string>? phasesDone, bool hasFaults, bool hasFinal, History history)
    {
        var reasons = new List<string>();
        if (phasesDone is not null)
        {
            if (!phasesDone.Contains("main")) reasons.Add("the main phase did not complete");
            if (hasFaults && !phasesDone.Contains("heal")) reasons.Add("no final heal after the last fault");
            if (hasFinal && !phasesDone.Contains("final")) reasons.Add("no final reads");
        }
        if (FaultWindows.From(history).FirstOrDefault(w => w.Open) is { } open && !reasons.Contains("no final heal after the last fault"))
            reasons.Add($"the fault '{open.Label}' (op {open.Ops[0]}) was never healed");
        if (!history.Warnings.IsEmpty) reasons.Add("history.jsonl ends in a torn line");
        return reasons;
    }
}
