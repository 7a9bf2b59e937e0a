using Harness.Core.Databases;

namespace Harness.Core.Running;

/// <summary>
/// One line of lag.jsonl: what the database said about one replica at one moment (<see cref="ReplicaStatus"/>), stamped
/// with the history's clock (nanoseconds since the test started, like every op in history.jsonl), so samples line
/// up with operations and fault windows. Every figure is optional: each database reports what it has.
/// </summary>
public sealed record LagSample(
    long TimeNanos,
    string Node,
    string? Source = null,
    string? State = null,
    double? WriteLagMs = null,
    double? FlushLagMs = null,
    double? ReplayLagMs = null,
    long? BytesBehind = null,
    string? Position = null,
    string? SourcePosition = null)
{
    /// <summary>A sample of <paramref name="status"/> taken at <paramref name="timeNanos"/>.</summary>
    public static LagSample Of(long timeNanos, ReplicaStatus status) => new(
        timeNanos, status.Node.Name, status.Source?.Name, status.State, status.WriteLagMs, status.FlushLagMs, status.ReplayLagMs,
        status.BytesBehind, status.Position, status.SourcePosition);
}
