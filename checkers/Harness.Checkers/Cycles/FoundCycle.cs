using System.Collections.Immutable;

namespace Harness.Checkers.Cycles;

/// <summary>A classified dependency cycle (transaction ids, in order; the last step returns to the first).</summary>
internal sealed record FoundCycle(string Anomaly, ImmutableArray<CycleStep> Steps);
