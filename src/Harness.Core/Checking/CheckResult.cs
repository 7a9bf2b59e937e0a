using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace Harness.Core.Checking;

/// <summary>The verdict of one checker, with a one-line summary, anomalies, counters and sub-results.</summary>
public sealed record CheckResult
{
    /// <summary>The checker's name, e.g. "linearizability", "set", "session-guarantees".</summary>
    public required string Checker { get; init; }
    public required Validity Validity { get; init; }

    /// <summary>One sentence in plain words: "3 acknowledged writes were lost".</summary>
    public required string Summary { get; init; }

    public ImmutableArray<Anomaly> Anomalies { get; init; } = [];

    /// <summary>Checker-specific figures (counts, keys checked, the anomaly types found...).</summary>
    public JsonObject? Stats { get; init; }

    /// <summary>Results of the checkers this one composes.</summary>
    public ImmutableArray<CheckResult> Children { get; init; } = [];

    public bool IsValid => Validity == Validity.Valid;

    public static CheckResult Valid(string checker, string summary) =>
        new() { Checker = checker, Validity = Validity.Valid, Summary = summary };

    public static CheckResult Unknown(string checker, string summary) =>
        new() { Checker = checker, Validity = Validity.Unknown, Summary = summary };

    public static CheckResult Invalid(string checker, string summary, IEnumerable<Anomaly> anomalies) =>
        new() { Checker = checker, Validity = Validity.Invalid, Summary = summary, Anomalies = [.. anomalies] };
}
