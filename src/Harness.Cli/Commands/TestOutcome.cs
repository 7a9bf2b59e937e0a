using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Core.Checking;
using Harness.Core.Running;
using Harness.Report;

namespace Harness.Cli.Commands;

/// <summary>
/// What one test of <c>harness test</c> or <c>harness test-all</c> came to: the line of the summary table, the
/// <c>--json</c> object and the JUnit testcase. A test that crashed, was refused when it started, or exceeded its
/// budget is unknown with <see cref="Reason"/>.
/// </summary>
internal sealed record TestOutcome
{
    /// <summary>The test's name (e.g. memory-set-partition).</summary>
    public required string Test { get; init; }
    public required string Database { get; init; }

    /// <summary>The arguments after <c>harness test</c>, database first.</summary>
    public required ImmutableArray<string> Args { get; init; }

    /// <summary>1-based repetition of the matrix cell (1 for a single test).</summary>
    public int Repetition { get; init; } = 1;
    public required Validity Verdict { get; init; }

    /// <summary>The checker's one-line summary (or the reason, when the test did not reach a check).</summary>
    public required string Summary { get; init; }

    /// <summary>Why the verdict is unknown (a crash, an interruption, the budget, a refusal), or null.</summary>
    public string? Reason { get; init; }
    public int Anomalies { get; init; }

    /// <summary>Up to 10 anomalies, one line each: "checker: type: explanation".</summary>
    public ImmutableArray<string> AnomalyLines { get; init; } = [];
    public required TimeSpan Duration { get; init; }

    /// <summary>results/&lt;test&gt;/&lt;time&gt;/, or null when the test stopped before it had one.</summary>
    public string? Directory { get; init; }
    public long Seed { get; init; }

    /// <summary>What <c>harness test</c> exits with for this outcome alone: 0 valid, 1 invalid, 2 unknown.</summary>
    public int ExitCode => Verdict.ExitCode();

    /// <summary>The run's report.html, or null.</summary>
    public string? Report => Directory is null ? null : Path.Combine(Directory, RunFiles.Report);

    /// <summary>The arguments as one command line, without the options that only say where output goes
    /// (--results, --junit, --json, --plain): the test's name in the summary table and in JUnit.</summary>
    public string CommandLine => Label(Args);

    /// <summary>See <see cref="CommandLine"/>.</summary>
    public static string Label(IReadOnlyList<string> args) =>
        string.Join(' ', WithoutOutputOptions(args).Select(a => a.Length == 0 || a.Any(char.IsWhiteSpace) ? $"'{a}'" : a));

    private static IEnumerable<string> WithoutOutputOptions(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] is "--json" or "--plain") continue;
            if (args[i] is "--results" or "--junit") { i++; continue; }
            if (args[i].StartsWith("--results=", StringComparison.Ordinal) || args[i].StartsWith("--junit=", StringComparison.Ordinal)) continue;
            yield return args[i];
        }
    }

    public static TestOutcome From(PreparedTest test, RunResult result, TimeSpan duration, string? reason)
    {
        var anomalies = Leaves(result.Check).Where(c => c.Validity != Validity.Valid)
            .SelectMany(c => c.Anomalies.Select(a => $"{c.Checker}: {a.Type}: {a.Explanation.Split('\n', 2)[0]}")).ToList();
        reason ??= result.Crash is { } crash ? $"the run crashed: {crash.GetType().Name}: {crash.Message}"
            : result.Interrupted ? "interrupted"
            : result.Check.Validity == Validity.Unknown ? result.Check.Summary : null;
        return new TestOutcome
        {
            Test = test.Spec.Name,
            Database = test.Suite.Name,
            Args = [.. test.Args],
            Verdict = result.Crash is not null || reason is not null && result.Check.Validity == Validity.Valid ? Validity.Unknown : result.Check.Validity,
            Summary = result.Check.Summary,
            Reason = reason,
            Anomalies = anomalies.Count,
            AnomalyLines = [.. anomalies.Take(10)],
            Duration = duration,
            Directory = result.Directory,
            Seed = test.Options.Seed,
        };
    }

    public static TestOutcome Failed(PreparedTest test, TimeSpan duration, string reason, string? directory) => new()
    {
        Test = test.Spec.Name,
        Database = test.Suite.Name,
        Args = [.. test.Args],
        Verdict = Validity.Unknown,
        Summary = reason,
        Reason = reason,
        Duration = duration,
        Directory = directory,
        Seed = test.Options.Seed,
    };

    private static IEnumerable<CheckResult> Leaves(CheckResult r) => r.Children.IsDefaultOrEmpty ? [r] : r.Children.SelectMany(Leaves);

    /// <summary>The machine-readable summary: one JSON object on one line.</summary>
    public JsonObject ToJson() => new()
    {
        ["test"] = Test,
        ["database"] = Database,
        ["args"] = new JsonArray([.. Args.Select(a => JsonValue.Create(a))]),
        ["repetition"] = Repetition,
        ["verdict"] = Verdict.Word(),
        ["exit"] = ExitCode,
        ["summary"] = Summary,
        ["reason"] = Reason,
        ["anomalies"] = Anomalies,
        ["seconds"] = Math.Round(Duration.TotalSeconds, 3),
        ["directory"] = Directory,
        ["report"] = Report,
        ["seed"] = Seed,
    };

    public string ToJsonLine() => ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}
