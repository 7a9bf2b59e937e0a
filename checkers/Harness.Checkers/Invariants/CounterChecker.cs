using System.Text.Json.Nodes;
using Harness.Core.Checking;
using Harness.Core.Histories;

namespace Harness.Checkers.Invariants;

/// <summary>
/// Counter workload (f "add" value n, f "read" value n; the counter starts at 0). Each ok read must lie within
/// [lower, upper]: lower = the adds certainly applied before the read began (ok and completed before its
/// invocation) plus the negative adds that might have been applied before it ended; upper = the positive adds
/// that might have been applied before it ended (invoked before its completion and not failed) plus the
/// negative adds certainly applied. With non-negative adds: [sum of acked adds completed before the read began,
/// sum of attempted adds invoked before it ended]. Failed adds never count; info adds may or may not.
/// </summary>
public sealed class CounterChecker : IChecker
{
    public string Name => "counter";

    public CheckResult Check(History history, CancellationToken ct)
    {
        var failed = new HashSet<long>();
        foreach (var (invoke, completion) in history.ClientPairs())
            if (invoke.F == "add" && completion is { IsFail: true }) failed.Add(invoke.Index);
        long okPos = 0, okNeg = 0, tryPos = 0, tryNeg = 0;
        var readStart = new Dictionary<long, (long OkPos, long OkNeg, long Invoke)>(); // by invocation index
        var anomalies = new List<Anomaly>();
        var reads = 0;
        foreach (var op in history)
        {
            ct.ThrowIfCancellationRequested();
            if (op.IsNemesis) continue;
            if (op.F == "add" && (op.IsInvoke || op.IsOk))
            {
                var n = op.IsOk && history.Invocation(op) is { } addInvoke ? Amount(addInvoke) : Amount(op);
                if (op.IsInvoke && !failed.Contains(op.Index))
                {
                    if (n >= 0) tryPos += n;
                    else tryNeg += n;
                }
                else if (op.IsOk)
                {
                    if (n >= 0) okPos += n;
                    else okNeg += n;
                }
            }
            else if (op.F == "read")
            {
                if (op.IsInvoke)
                {
                    readStart[op.Index] = (okPos, okNeg, op.Index);
                }
                else if (op.IsOk && history.Invocation(op) is { } inv && readStart.Remove(inv.Index, out var start))
                {
                    reads++;
                    if (op.Value is null || !op.Value.TryGetLong(out var value))
                        throw new HistoryFormatException("history", op.Index, $"op {op.Index}: a counter read returns an integer, got {op.Value}");
                    var lower = start.OkPos + tryNeg;
                    var upper = tryPos + start.OkNeg;
                    if (value < lower || value > upper)
                        anomalies.Add(new Anomaly
                        {
                            Type = "counter-out-of-bounds",
                            Explanation = $"op {op.Index} (process {op.Process}) read {value}, outside [{lower}, {upper}]: "
                                + (value < lower ? $"adds totalling {lower} had completed before the read began (op {start.Invoke})" : $"only adds totalling {upper} had been attempted before the read ended"),
                            Ops = [start.Invoke, op.Index],
                            Data = new JsonObject { ["op"] = op.Index, ["lower"] = lower, ["upper"] = upper, ["observed"] = value },
                        });
                }
            }
        }
        var stats = new JsonObject { ["reads"] = reads, ["out_of_bounds"] = anomalies.Count, ["acknowledged_sum"] = okPos + okNeg, ["attempted_sum"] = tryPos + tryNeg };
        if (reads == 0) return CheckResult.Unknown(Name, "no successful read") with { Stats = stats };
        return anomalies.Count == 0
            ? CheckResult.Valid(Name, $"all {reads} reads within bounds") with { Stats = stats }
            : new CheckResult
            {
                Checker = Name, Validity = Validity.Invalid, Stats = stats, Anomalies = [.. anomalies.Take(100)],
                Summary = $"{anomalies.Count} of {reads} reads out of bounds (first: {anomalies[0].Explanation})",
            };
    }

    private static long Amount(Operation op) =>
        op.Value is not null && op.Value.TryGetLong(out var n) ? n
            : throw new HistoryFormatException("history", op.Index, $"op {op.Index}: a counter add needs an integer, got {op.Value}");
}
