using System.CommandLine;
using System.Text.Json.Nodes;
using Harness.Checkers.Linearizability;
using Harness.Core;
using Harness.Core.Checking;
using Harness.Core.Histories;
using Harness.Core.Histories.Formats;
using Harness.Core.Running;

namespace Harness.Check;

/// <summary>
/// <c>harness check FILE... --model M [--format F] [--timeout S] [--all-keys] [--json]</c>: checks history files and prints
/// one verdict line per file (with the explanation when invalid). Exit 0 when all are valid, 1 when any is
/// invalid, 2 when any is unknown; bad input exits 254 with one line naming the file and line.
/// Extension points: <see cref="SelectChecker"/> (which checker a request means),
/// <see cref="ExpandTargets"/> (what a path on the command line stands for) and <see cref="IRunDirectories"/>
/// (re-checking a run directory, which needs the test suites: the CLI passes one; the native
/// <c>harness-check</c> passes none and refuses run directories, which <c>./harness check</c> sends to the CLI).
/// </summary>
public static class CheckCommand
{
    /// <summary>Run directories (<c>results/&lt;test&gt;/&lt;time&gt;/</c>), re-checked with the checkers of their own test.</summary>
    public interface IRunDirectories
    {
        /// <summary>The run's result, checked again; warnings go to <paramref name="warn"/>.</summary>
        CheckResult Check(string run, Action<string> warn, CancellationToken ct);
    }

    /// <summary>True for a directory written by <c>harness test</c> (it holds test.json); links such as results/latest count.</summary>
    public static bool IsRunDirectory(string path) => Directory.Exists(path) && File.Exists(Path.Combine(path, ResultStore.TestFile));

    /// <summary>
    /// What the user asked for, parsed from the command line; <c>Options</c> holds extra options added by other
    /// checkers (name without dashes, value as text).
    /// </summary>
    public sealed record Request(
        IReadOnlyList<string> Paths,
        string? Model,
        HistoryFormat Format,
        TimeSpan? Timeout,
        bool Json,
        IReadOnlyDictionary<string, string?> Options);

    /// <summary>One history to check: a file and, when not the default, a format.</summary>
    public sealed record Target(string Path, HistoryFormat Format);

    private const int MinBudgetMiB = 64;
    private const int MaxBudgetMiB = 1 << 20;

    /// <summary>The <c>check</c> command; without <paramref name="runs"/>, a run directory on the command line is refused in one line.</summary>
    public static Command Create(IRunDirectories? runs = null)
    {
        var files = new Argument<string[]>("files") { Description = "history files (harness JSONL, Jepsen/Knossos EDN, Porcupine logs)", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string?>("--model", "-m") { Description = $"linearizability model: {string.Join(", ", LinearizabilityModels.Names)}" };
        var format = new Option<string>("--format", "-f") { Description = $"history format: {string.Join("|", HistoryFiles.FormatNames)}", DefaultValueFactory = _ => "auto" };
        var timeout = new Option<double?>("--timeout") { Description = "give up after this many seconds per file (verdict unknown, exit 2)" };
        var allKeys = new Option<bool>("--all-keys") { Description = "linearizability: search every key, instead of stopping at the first key that is not linearizable" };
        var budget = new Option<int?>("--memory-budget") { Description = $"linearizability: MiB the whole check may hold, process memory included ({MinBudgetMiB}..{MaxBudgetMiB}; default {LinearizabilityChecker.DefaultMemoryBudget >> 20}); a key that outgrows it gives up (unknown)" };
        var json = new Option<bool>("--json") { Description = "print each file's result as one JSON object per line" };
        var workload = new Option<string?>("--workload", "-w") { Description = $"check a workload instead of linearizability: {string.Join(", ", CheckWorkloads.Names)}" };
        var consistency = new Option<string?>("--consistency", "-c") { Description = $"with --workload list-append|rw-register: the model, one of {string.Join(", ", Harness.Checkers.Cycles.ConsistencyModels.Names)} (default serializable)" };
        var total = new Option<long?>("--total") { Description = "with --workload bank: the sum of all balances" };
        var guarantees = new Option<string?>("--guarantees") { Description = $"with --workload session: all, or a comma list of {string.Join(", ", CheckWorkloads.GuaranteeNames)}" };
        var sessions = new Option<string?>("--sessions") { Description = "with --workload session: 'process' (default) or 'thread:N' (logical sessions across reconnects, N = concurrency)" };
        var command = new Command("check", "Check history files for linearizability (and other consistency models)")
        {
            files, model, format, timeout, allKeys, budget, json, workload, consistency, total, guarantees, sessions,
        };
        // Extension point: other checkers add their options to `command` here and read them in the action below
        // into Request.Options (e.g. --workload list-append --consistency serializable).
        command.SetAction((parse, ct) =>
        {
            var t = parse.GetValue(timeout);
            if (t is < 0) throw new UserErrorException("--timeout must be a positive number of seconds");
            var mib = parse.GetValue(budget);
            if (mib is < MinBudgetMiB or > MaxBudgetMiB) throw new UserErrorException($"--memory-budget must be {MinBudgetMiB} to {MaxBudgetMiB} MiB, got {mib}");
            var request = new Request(
                parse.GetValue(files) ?? [],
                parse.GetValue(model),
                HistoryFiles.ParseFormat(parse.GetValue(format)),
                t is > 0 ? TimeSpan.FromSeconds(t.Value) : null,
                parse.GetValue(json),
                new Dictionary<string, string?>
                {
                    ["workload"] = parse.GetValue(workload),
                    ["consistency"] = parse.GetValue(consistency),
                    ["total"] = parse.GetValue(total)?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["guarantees"] = parse.GetValue(guarantees),
                    ["sessions"] = parse.GetValue(sessions),
                    ["all-keys"] = parse.GetValue(allKeys) ? "true" : null,
                    ["memory-budget"] = mib?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                });
            return RunAsync(request, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, runs, ct);
        });
        return command;
    }

    /// <summary>Checks every target; returns the exit code. Warnings (e.g. a torn final line) go to <paramref name="stderr"/>.</summary>
    public static async Task<int> RunAsync(Request request, TextWriter stdout, TextWriter stderr, IRunDirectories? runs, CancellationToken ct)
    {
        var validity = Validity.Valid;
        var isRun = request.Paths.ToLookup(IsRunDirectory);
        // A run directory (results/<test>/<time>/) is re-checked with the checkers of its own test.
        foreach (var run in isRun[true])
        {
            ct.ThrowIfCancellationRequested();
            if (runs is null) throw new UserErrorException($"{run}: a run directory; harness-check checks history files only: re-check a run with ./harness check {run}");
            var warnings = new List<string>();
            var result = runs.Check(run, warnings.Add, ct);
            foreach (var warning in warnings) await stderr.WriteLineAsync($"harness: {warning}");
            validity = validity.Merge(result.Validity);
            await stdout.WriteLineAsync(request.Json ? JsonLine(run, result) : TextLines(run, WithChildAnomalies(result)));
        }
        var files = isRun[false].ToList();
        if (files.Count == 0) return validity.ExitCode();
        var targets = files.SelectMany(p => ExpandTargets(p, request)).ToList(); // a missing file is named before flags are judged
        var checker = SelectChecker(request);
        // Files are read and checked in parallel (a few at a time); verdicts are printed in command-line order.
        using var gate = new SemaphoreSlim(Environment.ProcessorCount);
        var checks = targets.Select(target => Task.Run(async () =>
        {
            await gate.WaitAsync(ct);
            try
            {
                var warnings = new List<string>();
                var rules = Rules(target.Path, request);
                if (CheckWorkloads.TryStreaming(checker, target.Path, target.Format, warnings.Add, rules, ct) is { } streamed) return (streamed, warnings);
                var history = HistoryFiles.Read(target.Path, target.Format, rules);
                rules.Finish();
                return (Harness.Core.Checking.Checkers.CheckSafe(checker, history, ct), history.Warnings.ToList());
            }
            finally
            {
                gate.Release();
            }
        }, ct)).ToList();
        for (var i = 0; i < targets.Count; i++)
        {
            var (result, warnings) = await checks[i]; // a bad file throws here, after the verdicts of the files before it
            foreach (var warning in warnings) await stderr.WriteLineAsync($"harness: {warning}");
            validity = validity.Merge(result.Validity);
            await stdout.WriteLineAsync(request.Json ? JsonLine(targets[i].Path, result) : TextLines(targets[i].Path, result));
        }
        return validity.ExitCode();
    }

    /// <summary>
    /// What a file must obey to be checked at all (bad input otherwise, naming the line): the history rules, some
    /// client operations, and with <c>--workload</c> only operations that workload knows (a register history
    /// checked as a set would otherwise be "valid" for lack of adds).
    /// </summary>
    public static HistoryRules Rules(string path, Request request) =>
        request.Options.TryGetValue("workload", out var w) && w is not null && CheckWorkloads.Fs(w) is { } fs
            ? new HistoryRules(path) { Fs = fs, Workload = w }
            : new HistoryRules(path);

    /// <summary>
    /// Extension point: the checker a request selects. Add cases here for other flags (e.g. --workload).
    /// </summary>
    public static IChecker SelectChecker(Request request)
    {
        if (request.Options.TryGetValue("workload", out var w) && w is not null)
        {
            if (request.Model is not null) throw new UserErrorException("pass either --model (linearizability) or --workload, not both");
            return CheckWorkloads.Select(w, request.Options);
        }
        if (request.Model is { } m)
            return new LinearizabilityChecker(LinearizabilityModels.ByName(m), request.Timeout)
            {
                AllKeys = request.Options.TryGetValue("all-keys", out var all) && all is not null,
                MemoryBudgetBytes = request.Options.TryGetValue("memory-budget", out var mib) && mib is not null
                    ? long.Parse(mib, System.Globalization.CultureInfo.InvariantCulture) << 20
                    : LinearizabilityChecker.DefaultMemoryBudget,
            };
        throw new UserErrorException($"say what to check: --model {string.Join("|", LinearizabilityModels.Names)} or --workload {string.Join("|", CheckWorkloads.Names)}");
    }

    /// <summary>
    /// Extension point: the histories a command-line path stands for (a file; a run directory could expand
    /// to its history.jsonl here).
    /// </summary>
    public static IEnumerable<Target> ExpandTargets(string path, Request request)
    {
        if (Directory.Exists(path))
            throw new UserErrorException($"{path}: is a directory but not a run directory (no test.json and history.jsonl); pass history files or results/<test>/<time>");
        if (!File.Exists(path))
            throw new UserErrorException($"{path}: no such file");
        yield return new Target(path, request.Format);
    }

    /// <summary>The result with the anomalies of its sub-results lifted to the top (for the text output).</summary>
    private static CheckResult WithChildAnomalies(CheckResult result) =>
        result with { Anomalies = [.. result.Anomalies, .. result.Children.SelectMany(c => WithChildAnomalies(c).Anomalies)] };

    private static string TextLines(string path, CheckResult r)
    {
        var line = $"{path}: {r.Validity.Word()}: {r.Summary}";
        if (r.Validity != Validity.Invalid) return line;
        var lines = new List<string> { line };
        foreach (var a in r.Anomalies)
            lines.AddRange(a.Explanation.Split('\n').Select(l => "  " + l.TrimStart()));
        return string.Join(Environment.NewLine, lines);
    }

    private static string JsonLine(string path, CheckResult r)
    {
        var o = new JsonObject { ["file"] = path, ["validity"] = r.Validity.Word(), ["result"] = CheckResultJson.ToJson(r) };
        return o.ToJsonString();
    }
}
