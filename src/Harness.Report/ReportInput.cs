using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Harness.Core.Checking;
using Harness.Core.Histories;

namespace Harness.Report;

/// <summary>Everything one report.html shows: a history, optionally its verdict and the test's settings.</summary>
public sealed record ReportInput
{
    /// <summary>The operations to draw.</summary>
    public required History History { get; init; }

    /// <summary>The page title, e.g. the test name or the history file's name.</summary>
    public required string Title { get; init; }

    /// <summary>The checkers' verdict (results.json), or null when the history was not checked.</summary>
    public CheckResult? Results { get; init; }

    /// <summary>results.json as written, kept verbatim (wins over <see cref="Results"/> when both are set).</summary>
    public JsonObject? ResultsJson { get; init; }

    /// <summary>test.json: the test's name, options, seed and nodes, shown at the top when present.</summary>
    public JsonObject? Test { get; init; }

    /// <summary>Where the history came from (a path), shown in the page footer.</summary>
    public string? Source { get; init; }

    /// <summary>The database's own view of replication lag sampled during the run (lag.jsonl; see
    /// <see cref="Harness.Core.Running.LagLog"/>), plotted per replica; empty when the run has none.</summary>
    public ImmutableArray<Harness.Core.Running.LagSample> Lag { get; init; } = [];

    /// <summary>Warnings shown at the top of the page (after the history's own <see cref="History.Warnings"/>).</summary>
    public ImmutableArray<string> Notes { get; init; } = [];
}
