using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Core.Checking;
using Harness.Core.Histories;

namespace Harness.Checkers.Replication;

/// <summary>
/// How soon acknowledged writes become visible to reads, measured from a list-append history (the session and
/// list-append workloads: appends of unique values, reads of whole lists): after Bailis et al., "Probabilistically
/// Bounded Staleness for Practical Partial Quorums" (VLDB 2012). For every read of a key, every append to that
/// key acknowledged before the read was invoked is a trial at t = read invocation - acknowledgement: the read
/// sees the write or is stale for it. Reported: the share of stale reads (a read missing some write acknowledged
/// before it began), the visibility lag of each write on each node that read it (how long after its acknowledgement
/// a read on that node began and still missed it: a lower bound, 0 when no read missed it; reads that are far apart
/// cannot say more) as p50/p95/p99/max, and the t-visibility curve
/// P(a read t ms after the acknowledgement sees the write). Informational: always valid; the verdict on staleness
/// belongs to the session or consistency checkers.
/// </summary>
public sealed class VisibilityChecker : IChecker
{
    /// <summary>The t values (ms) of the t-visibility curve; the same axis for every run, so runs compare.</summary>
    public static ImmutableArray<double> CurveMillis { get; } = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];

    public string Name => "visibility";

    private sealed record Write(long Key, long Value, long AckNanos);

    private sealed record Read(long Key, long InvokeNanos, string Node, HashSet<long> Seen);

    public CheckResult Check(History history, CancellationToken ct)
    {
        var writes = new Dictionary<long, List<Write>>();
        var reads = new List<Read>();
        foreach (var (invoke, done) in history.ClientPairs())
        {
            ct.ThrowIfCancellationRequested();
            if (done is not { IsOk: true } || done.Value is not { IsSeq: true } txn) continue;
            foreach (var micro in txn.Items)
            {
                if (!micro.IsSeq || micro.Count < 3 || !micro[1].IsInt) continue;
                var f = micro[0].AsName();
                var key = micro[1].AsLong();
                if (f == "append" && micro[2].IsInt)
                {
                    if (!writes.TryGetValue(key, out var list)) writes[key] = list = [];
                    list.Add(new Write(key, micro[2].AsLong(), done.TimeNanos));
                }
                else if (f == "r" && micro[2].IsSeq)
                {
                    reads.Add(new Read(key, invoke.TimeNanos, done.Node ?? invoke.Node ?? "?",
                        [.. micro[2].Items.Where(v => v.IsInt).Select(v => v.AsLong())]));
                }
            }
        }

        // Trials: (read, earlier acknowledged write of its key) -> seen or stale, binned by t.
        var seenAt = new long[CurveMillis.Length];
        var trialsAt = new long[CurveMillis.Length];
        long staleReads = 0, readsWithTrials = 0;
        var missed = new Dictionary<(long Key, long Value, string Node), long>(); // write on node -> lag lower bound (ns)
        foreach (var r in reads.OrderBy(r => r.InvokeNanos))
        {
            if (!writes.TryGetValue(r.Key, out var ws)) continue;
            var trials = false;
            var stale = false;
            foreach (var w in ws)
            {
                if (w.AckNanos < 0 || w.AckNanos >= r.InvokeNanos) continue;
                trials = true;
                var seen = r.Seen.Contains(w.Value);
                stale |= !seen;
                var slot = (w.Key, w.Value, r.Node);
                var missedFor = seen ? 0 : r.InvokeNanos - w.AckNanos;
                missed[slot] = Math.Max(missed.GetValueOrDefault(slot), missedFor);
                var t = (r.InvokeNanos - w.AckNanos) / 1e6;
                for (var i = 0; i < CurveMillis.Length; i++)
                {
                    // bin i holds t in [CurveMillis[i], CurveMillis[i+1])
                    if (t < CurveMillis[i] || (i + 1 < CurveMillis.Length && t >= CurveMillis[i + 1])) continue;
                    trialsAt[i]++;
                    if (seen) seenAt[i]++;
                }
            }
            if (!trials) continue;
            readsWithTrials++;
            if (stale) staleReads++;
        }

        var lags = missed.Values.Select(n => n / 1e6).Order().ToArray();
        var stats = new JsonObject
        {
            ["reads"] = readsWithTrials,
            ["stale_reads"] = staleReads,
            ["stale_share"] = readsWithTrials == 0 ? 0 : Math.Round((double)staleReads / readsWithTrials, 4),
            ["writes_read"] = lags.Length,
            ["lag_ms"] = new JsonObject
            {
                ["p50"] = Percentile(lags, 0.50), ["p95"] = Percentile(lags, 0.95), ["p99"] = Percentile(lags, 0.99), ["max"] = lags.Length == 0 ? 0 : Math.Round(lags[^1], 3),
            },
            ["lag_ms_by_node"] = ByNode(missed),
            ["t_visibility"] = new JsonArray([.. CurveMillis.Select((t, i) => (JsonNode?)new JsonObject
            {
                ["t_ms"] = t,
                ["trials"] = trialsAt[i],
                ["p_seen"] = trialsAt[i] == 0 ? null : Math.Round((double)seenAt[i] / trialsAt[i], 4),
            })]),
        };
        var summary = readsWithTrials == 0
            ? "no read followed an acknowledged write of its key"
            : string.Create(CultureInfo.InvariantCulture,
                $"{staleReads} of {readsWithTrials} reads stale ({100.0 * staleReads / readsWithTrials:0.#}%); visibility lag p50 {Percentile(lags, 0.5):0.##} ms, p95 {Percentile(lags, 0.95):0.##} ms, p99 {Percentile(lags, 0.99):0.##} ms, max {(lags.Length == 0 ? 0 : lags[^1]):0.##} ms");
        return new CheckResult { Checker = Name, Validity = Validity.Valid, Summary = summary, Stats = stats };
    }

    private static JsonObject ByNode(Dictionary<(long Key, long Value, string Node), long> missed)
    {
        var o = new JsonObject();
        foreach (var g in missed.GroupBy(e => e.Key.Node).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var lags = g.Select(e => e.Value / 1e6).Order().ToArray();
            o[g.Key] = new JsonObject { ["p50"] = Percentile(lags, 0.5), ["p95"] = Percentile(lags, 0.95), ["max"] = Math.Round(lags[^1], 3), ["writes"] = lags.Length };
        }
        return o;
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : Math.Round(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)], 3);
}
