using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace Harness.Core.Checking;

/// <summary>
/// One thing a checker found, explained for a person (<see cref="Explanation"/>) and for a program
/// (<see cref="Data"/>, drawn by the HTML report). <see cref="Ops"/> are the history indices involved,
/// highlighted on the report's timeline.
/// </summary>
public sealed record Anomaly
{
    /// <summary>Short kebab-case kind, e.g. "lost-write", "G-single", "monotonic-reads", "nonlinearizable".</summary>
    public required string Type { get; init; }

    /// <summary>Plain-words explanation, possibly several lines.</summary>
    public required string Explanation { get; init; }

    /// <summary>Indices (Operation.Index) of the operations involved.</summary>
    public ImmutableArray<long> Ops { get; init; } = [];

    /// <summary>Structured details for the report (checker-specific shape, documented per checker).</summary>
    public JsonObject? Data { get; init; }
}
