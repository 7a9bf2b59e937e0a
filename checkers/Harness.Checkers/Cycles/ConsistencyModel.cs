using System.Collections.Immutable;

namespace Harness.Checkers.Cycles;

/// <summary>
/// A transactional consistency model and the anomalies it forbids (closed under implication: a model that
/// forbids G1 forbids G1a, G1b, G1c and everything implying them). A history satisfies the model when no
/// reported anomaly implies a forbidden one.
/// </summary>
public sealed record ConsistencyModel(string Name, ImmutableHashSet<string> Forbidden)
{
    /// <summary>The model forbids some anomaly whose cycles need process-order edges.</summary>
    public bool NeedsProcessOrder => Forbidden.Any(a => a.EndsWith("-process", StringComparison.Ordinal) || a.EndsWith("-realtime", StringComparison.Ordinal));

    /// <summary>The model forbids some anomaly whose cycles need real-time edges.</summary>
    public bool NeedsRealtimeOrder => Forbidden.Any(a => a.EndsWith("-realtime", StringComparison.Ordinal));

    /// <summary>True when <paramref name="anomaly"/> (or something it implies) is forbidden.</summary>
    public bool Forbids(string anomaly) => AnomalyTypes.Closure(anomaly).Overlaps(Forbidden);

    public override string ToString() => Name;
}
