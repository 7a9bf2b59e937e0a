using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Core;
using Harness.Core.Checking;
using Harness.Report;

namespace Harness.Cli.Commands;

/// <summary>
/// <c>harness test-all</c>: a matrix of tests (database × workload × nemesis × the suite's own options ×
/// repetitions), from a JSON or YAML file and/or flags. Every test is the argument list of a <c>harness test</c>
/// command; all of them are parsed and checked before the first runs (a bad one is exit 254). They run one at a
/// time, each within a time budget; a test that crashes, is refused or runs over its budget is unknown with its
/// reason and the others still run. Ends with a summary table; exits with the worst verdict (1 over 2 over 0).
/// </summary>
internal static class TestAllCommand
{
    /// <summary>Where each matrix run keeps matrix.json (read by results/index.html), under the results root.</summary>
    public const string MatrixDirectory = RunFiles.MatrixDirectory;
    public const string MatrixFile = RunFiles.Matrix;

    private static readonly string[] OutputOptions = ["--results", "--junit", "--json"];

    public static Command Create()
    {
        var file = new Option<string?>("--file", "-f") { Description = "A matrix file, JSON or YAML (see docs/ci.md)" };
        var tests = new Option<string[]>("--test") { Description = "One test, the words after 'harness test' (repeatable): --test 'memory --workload set'" };
        var databases = new Option<string[]>("--database", "-d") { Description = "Databases to combine (repeatable)" };
        var workloads = new Option<string[]>("--workload", "-w") { Description = "Workloads to combine (repeatable)" };
        var nemeses = new Option<string[]>("--nemesis") { Description = "Nemeses to combine (repeatable; 'none', or faults joined by commas as in harness test)" };
        var vary = new Option<string[]>("--vary") { Description = "Any option of harness test to combine, NAME=VALUE (repeatable): --vary bug=none --vary bug=lost-write" };
        var repeat = new Option<int?>("--repeat") { Description = "Runs of every test (default 1; a file's 'repeat' unless given here)" };
        var budget = new Option<double?>("--budget") { Description = "Seconds each test may take, set-up and check included (default 2 x its time limit + its recovery time + 300)" };
        var results = new Option<string>("--results") { Description = "Where runs are stored (passed to every test)", DefaultValueFactory = _ => "results" };
        var junit = new Option<string?>("--junit") { Description = "Write every test's verdict as JUnit XML to this file" };
        var json = new Option<bool>("--json") { Description = "Print one JSON summary line per test on stdout (the human output goes to stderr)" };
        var args = new Argument<string[]>("args") { Description = "After '--': arguments added to every test (e.g. -- --time-limit 10)", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("test-all", "Run a matrix of tests one at a time (from a JSON/YAML file or flags), with a budget per test, a summary table, JUnit XML");
        command.Aliases.Add("matrix");
        foreach (var o in new Option[] { file, tests, databases, workloads, nemeses, vary, repeat, budget, results, junit, json }) command.Options.Add(o);
        command.Arguments.Add(args);
        command.SetAction((parse, ct) =>
        {
            var flags = new Flags(parse.GetValue(file), parse.GetValue(tests) ?? [], parse.GetValue(databases) ?? [], parse.GetValue(workloads) ?? [],
                parse.GetValue(nemeses) ?? [], parse.GetValue(vary) ?? [], parse.GetValue(repeat), parse.GetValue(budget),
                parse.GetValue(args) ?? []);
            var config = parse.InvocationConfiguration;
            return RunAsync(flags, parse.GetValue(results) ?? "results", parse.GetValue(junit), parse.GetValue(json), config.Output, config.Error, ct);
        });
        return command;
    }

    internal sealed record Flags(string? File, string[] Tests, string[] Databases, string[] Workloads, string[] Nemeses, string[] Vary,
        int? Repeat, double? Budget, string[] Args);

    /// <summary>The cells of the matrix, in order, from the file, then --test, then the flags' cross product.</summary>
    internal static List<MatrixCell> Cells(Flags flags)
    {
        var repeat = flags.Repeat is { } r ? MatrixSpec.Repeat(JsonValue.Create((double)r), "--repeat")!.Value : (int?)null;
        var budget = flags.Budget is { } b ? MatrixSpec.Budget(b, "--budget") : null;
        var cells = new List<MatrixCell>();
        if (flags.File is { } path)
        {
            var (defaults, tests) = MatrixSpec.ReadFile(path);
            foreach (var (test, where) in tests)
                cells.AddRange(MatrixSpec.Expand(test, where, [.. defaults.Args, .. flags.Args], repeat ?? defaults.Repeat ?? 1, budget ?? defaults.Budget));
        }
        foreach (var (test, i) in flags.Tests.Select((t, i) => (t, i)))
            cells.AddRange(MatrixSpec.Expand(test, $"--test {i + 1}", flags.Args, repeat ?? 1, budget));
        var axes = new JsonObject();
        if (flags.Databases.Length > 0) axes["database"] = new JsonArray([.. flags.Databases.Select(d => JsonValue.Create(d))]);
        if (flags.Workloads.Length > 0) axes["workload"] = new JsonArray([.. flags.Workloads.Select(w => JsonValue.Create(w))]);
        if (flags.Nemeses.Length > 0) axes["nemesis"] = new JsonArray([.. flags.Nemeses.Select(n => JsonValue.Create(n))]);
        foreach (var group in flags.Vary.Select(Split).GroupBy(v => v.Name, StringComparer.Ordinal))
        {
            if (group.Key is "database" or "workload" or "nemesis" && axes.ContainsKey(group.Key))
                throw new UserErrorException($"--vary {group.Key}=... and --{group.Key} both given; use one");
            axes[group.Key] = new JsonArray([.. group.Select(v => JsonValue.Create(v.Value))]);
        }
        if (axes.Count > 0) cells.AddRange(MatrixSpec.Expand(axes, "the flags", flags.Args, repeat ?? 1, budget));
        if (cells.Count == 0)
            throw new UserErrorException("no tests: give a matrix file (--file nightly.yml), --test 'memory --workload set', or --database memory [--workload ...]");
        if (cells.Sum(c => c.Repeat) > MatrixSpec.MaxTests) throw new UserErrorException($"the matrix has more than {MatrixSpec.MaxTests} runs");
        return cells;

        static (string Name, string Value) Split(string v)
        {
            var eq = v.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new UserErrorException($"--vary expects NAME=VALUE (e.g. --vary bug=lost-write), got '{v}'");
            return (v[..eq].TrimStart('-'), v[(eq + 1)..]);
        }
    }

    private sealed record Planned(int Cell, int Repetition, PreparedTest Test, TimeSpan Budget);

    internal static async Task<int> RunAsync(Flags flags, string resultsRoot, string? junit, bool json, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var output = json ? stderr : stdout;
        var cells = Cells(flags);
        // Every test is parsed and checked before anything runs: one bad test and nothing runs (exit 254).
        var planned = new List<Planned>();
        foreach (var (cell, index) in cells.Select((c, i) => (c, i)))
        {
            if (cell.Args.FirstOrDefault(a => OutputOptions.Contains(a) || OutputOptions.Any(o => a.StartsWith(o + "=", StringComparison.Ordinal))) is { } bad)
                throw new UserErrorException($"test {index + 1} ({TestOutcome.Label(cell.Args)}): give {bad.Split('=')[0]} to test-all, not to one test");
            for (var rep = 1; rep <= cell.Repeat; rep++)
            {
                PreparedTest test;
                try
                {
                    test = TestCommand.Prepare([.. cell.Args, "--plain", "--results", resultsRoot]);
                }
                catch (UserErrorException e)
                {
                    throw new UserErrorException($"test {index + 1} ({string.Join(' ', cell.Args)}): {e.Message}");
                }
                test = test with { Args = cell.Args };
                var budget = cell.Budget ?? test.Options.TimeLimit * 2 + test.Options.RecoveryTime + TimeSpan.FromMinutes(5);
                planned.Add(new Planned(index, rep, test, budget));
            }
        }
        if (junit is not null) JUnitXml.CheckWritable(junit);
        var started = DateTimeOffset.UtcNow;
        var record = new MatrixRecord(resultsRoot, started, cells);
        record.Save(); // refuses an unwritable results directory before anything runs

        await output.WriteLineAsync($"harness: test-all: {planned.Count} {(planned.Count == 1 ? "test" : "tests")} ({cells.Count} in the matrix), one at a time; results in {resultsRoot}, matrix in {record.Path}");
        var outcomes = new List<TestOutcome>();
        var clock = Stopwatch.StartNew();
        var stopped = false;
        for (var i = 0; i < planned.Count; i++)
        {
            var p = planned[i];
            TestOutcome outcome;
            if (stopped)
            {
                outcome = TestOutcome.Failed(p.Test, TimeSpan.Zero, "not run: test-all was interrupted", null);
            }
            else
            {
                var counts = Counts(outcomes);
                var prefixed = new PrefixWriter(output, () => $"[{i + 1}/{planned.Count} {Clock(clock.Elapsed)}{counts}] ");
                await prefixed.WriteLineAsync($"harness test {TestOutcome.Label(p.Test.Args)}{(cells[p.Cell].Repeat > 1 ? $" (run {p.Repetition} of {cells[p.Cell].Repeat})" : "")}, budget {p.Budget.TotalSeconds:0}s");
                record.Running(p.Cell, p.Repetition);
                try
                {
                    outcome = await TestCommand.RunToOutcomeAsync(p.Test, prefixed, p.Budget, ct);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    outcome = TestOutcome.Failed(p.Test, TimeSpan.Zero, "interrupted before it ran", null);
                }
                if (ct.IsCancellationRequested) stopped = true;
            }
            outcome = outcome with { Repetition = p.Repetition };
            outcomes.Add(outcome);
            record.Done(p.Cell, outcome);
            SaveQuietly(record, output);
            if (!stopped || outcome.Reason != "not run: test-all was interrupted")
                await output.WriteLineAsync($"harness: [{i + 1}/{planned.Count}] {outcome.Verdict.Word()}{(outcome.Anomalies > 0 ? $" ({outcome.Anomalies} {(outcome.Anomalies == 1 ? "anomaly" : "anomalies")})" : "")} in {outcome.Duration.TotalSeconds:0.0}s: {outcome.CommandLine}: {outcome.Reason ?? outcome.Summary}");
            if (json) await stdout.WriteLineAsync(outcome.ToJsonLine());
        }

        var exit = Worst(outcomes);
        record.Finish(exit);
        var table = SummaryTable(outcomes);
        SaveQuietly(record, output, table);
        await output.WriteLineAsync();
        await output.WriteAsync(table);
        if (junit is not null) JUnitXml.Write(junit, "harness test-all", outcomes, started);
        await output.WriteLineAsync($"harness: test-all: {string.Join(", ", new[] { Validity.Valid, Validity.Invalid, Validity.Unknown }.Select(v => $"{outcomes.Count(o => o.Verdict == v)} {v.Word()}"))} in {Clock(clock.Elapsed)}; exit {exit}{(junit is null ? "" : $"; JUnit XML in {junit}")}; matrix in {record.Path}");
        if (stopped) await output.WriteLineAsync("harness: test-all was interrupted; the tests not run are unknown");
        return exit;
    }

    /// <summary>The worst exit code: 1 (invalid) over 2 (unknown) over 0 (valid).</summary>
    internal static int Worst(IEnumerable<TestOutcome> outcomes)
    {
        var codes = outcomes.Select(o => o.ExitCode).ToHashSet();
        return codes.Contains(1) ? 1 : codes.Contains(2) ? 2 : 0;
    }

    private static string Counts(List<TestOutcome> done) => done.Count == 0 ? ""
        : $" {done.Count(o => o.Verdict == Validity.Valid)} valid {done.Count(o => o.Verdict == Validity.Invalid)} invalid {done.Count(o => o.Verdict == Validity.Unknown)} unknown";

    private static string Clock(TimeSpan t) => t.ToString(t.TotalHours >= 1 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture);

    /// <summary>The table printed at the end (and saved as summary.txt beside matrix.json).</summary>
    internal static string SummaryTable(IReadOnlyList<TestOutcome> outcomes)
    {
        string[] header = ["test", "run", "verdict", "anomalies", "duration", "report"];
        var rows = outcomes.Select(o => new[]
        {
            o.CommandLine, o.Repetition.ToString(CultureInfo.InvariantCulture),
            o.Verdict.Word() + (o.Reason is { } r && o.Verdict == Validity.Unknown ? $": {Short(r)}" : ""),
            o.Anomalies.ToString(CultureInfo.InvariantCulture), $"{o.Duration.TotalSeconds:0.0}s", o.Report ?? "-",
        }).ToList();
        var widths = header.Select((h, c) => rows.Select(r => r[c].Length).Append(h.Length).Max()).ToArray();
        var sb = new StringBuilder();
        void Line(string[] cells) => sb.Append(string.Join("  ", cells.Select((s, c) => c == cells.Length - 1 ? s : s.PadRight(widths[c]))).TrimEnd()).Append('\n');
        Line(header);
        Line([.. widths.Select(w => new string('-', w))]);
        foreach (var row in rows) Line(row);
        return sb.ToString();

        static string Short(string s) => s.Length <= 60 ? s : s[..57] + "...";
    }

    private static void SaveQuietly(MatrixRecord record, TextWriter output, string? summary = null)
    {
        try
        {
            record.Save(summary);
            if (Directory.Exists(record.Root)) ReportWriter.WriteIndex(record.Root);
        }
        catch (UserErrorException e)
        {
            lock (output) output.WriteLine($"harness: warning: {e.Message}");
        }
    }

    /// <summary>matrix.json: one row per test of the matrix, one run per repetition, rewritten as runs finish.</summary>
    private sealed class MatrixRecord
    {
        private readonly JsonObject _json;
        private readonly JsonArray _tests;

        public MatrixRecord(string root, DateTimeOffset started, IReadOnlyList<MatrixCell> cells)
        {
            Root = root;
            var stamp = started.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
            var dir = System.IO.Path.Combine(root, MatrixDirectory, stamp);
            for (var i = 2; Directory.Exists(dir); i++) dir = System.IO.Path.Combine(root, MatrixDirectory, $"{stamp}-{i}");
            Path = System.IO.Path.Combine(dir, MatrixFile);
            _tests = [.. cells.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = TestOutcome.Label(c.Args),
                ["database"] = c.Args[0],
                ["args"] = new JsonArray([.. c.Args.Select(a => JsonValue.Create(a))]),
                ["runs"] = new JsonArray([.. Enumerable.Range(1, c.Repeat).Select(r => (JsonNode)new JsonObject { ["repetition"] = r, ["verdict"] = "pending" })]),
            })];
            _json = new JsonObject
            {
                ["format"] = 1,
                ["started"] = started.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                ["finished"] = null,
                ["exit"] = null,
                ["tests"] = _tests,
            };
        }

        public string Root { get; }
        public string Path { get; }

        private JsonObject Run(int cell, int repetition) => (JsonObject)_tests[cell]!["runs"]![repetition - 1]!;

        public void Running(int cell, int repetition) => Run(cell, repetition)["verdict"] = "running";

        public void Done(int cell, TestOutcome o)
        {
            var run = Run(cell, o.Repetition);
            var relative = o.Directory is null ? null : System.IO.Path.GetRelativePath(Root, o.Directory).Replace('\\', '/');
            run["verdict"] = o.Verdict.Word();
            run["test"] = o.Test;
            run["summary"] = o.Summary;
            run["reason"] = o.Reason;
            run["anomalies"] = o.Anomalies;
            run["seconds"] = Math.Round(o.Duration.TotalSeconds, 3);
            run["directory"] = relative;
            run["report"] = relative is null ? null : relative + "/" + RunFiles.Report;
            run["seed"] = o.Seed;
        }

        public void Finish(int exit)
        {
            _json["finished"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);
            _json["exit"] = exit;
        }

        public void Save(string? summary = null)
        {
            var dir = System.IO.Path.GetDirectoryName(Path)!;
            try
            {
                Directory.CreateDirectory(dir);
                var temp = Path + ".tmp";
                File.WriteAllText(temp, _json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
                File.Move(temp, Path, overwrite: true);
                if (summary is not null) File.WriteAllText(System.IO.Path.Combine(dir, "summary.txt"), summary);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UserErrorException($"cannot write {Path} under --results {Root}: {e.Message.TrimEnd('.')}; pass --results DIR, a directory you can write");
            }
        }
    }

    /// <summary>Prefixes every line written (by the test and its progress display) with the matrix's progress.</summary>
    private sealed class PrefixWriter(TextWriter inner, Func<string> prefix) : TextWriter
    {
        private readonly StringBuilder _line = new();

        public override Encoding Encoding => inner.Encoding;

        public override void Write(char value)
        {
            lock (_line)
            {
                if (value == '\n') Emit();
                else if (value != '\r') _line.Append(value);
            }
        }

        public override void Write(string? value)
        {
            foreach (var c in value ?? "") Write(c);
        }

        public override void WriteLine(string? value)
        {
            Write(value);
            Write('\n');
        }

        public override Task WriteLineAsync(string? value)
        {
            WriteLine(value);
            return Task.CompletedTask;
        }

        public override Task WriteAsync(string? value)
        {
            Write(value);
            return Task.CompletedTask;
        }

        public override void Flush()
        {
            lock (_line) if (_line.Length > 0) Emit();
        }

        private void Emit()
        {
            var text = prefix() + _line;
            _line.Clear();
            lock (inner) inner.WriteLine(text);
        }
    }
}
