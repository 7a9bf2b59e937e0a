using System.Diagnostics;
using System.Text.Json.Nodes;
using Harness.Core.Checking;
using Harness.Core.Histories;

namespace Harness.Checkers.Cycles;

/// <summary>
/// Elle-style checker for list-append histories (f "txn", value [["append",k,v],["r",k,[..]]]): infers ww, wr
/// and rw dependencies from the per-key version orders (the longest read of each key; every read must be a
/// prefix of it), adds process and real-time order when the model needs them, finds cycles through strongly
/// connected components and classifies them (G0, G1c, G-single, G-nonadjacent, G2-item and their -process and
/// -realtime variants), and also reports G1a, G1b, internal inconsistency, lost update, duplicate elements,
/// garbage reads and incompatible orders. Valid means no anomaly the <see cref="ConsistencyModel"/> forbids.
/// Assumptions: appended values are unique per key; ok transactions committed, failed ones did not, info ones
/// may have (their appends count when some read saw them; their reads are unknown).
/// <paramref name="levelName"/> (optional) is the isolation level the database calls it, when the model checked is
/// another (the one its documentation promises): the summary then says plainly where the history contradicts that name.
/// </summary>
public sealed class ListAppendChecker(ConsistencyModel model, string? levelName = null) : IChecker
{
    public string Name => "list-append";

    public ConsistencyModel Model => model;

    public CheckResult Check(History history, CancellationToken ct) =>
        Check(history, i => i >= 0 && i < history.Count ? history[(int)i] : null, ct);

    /// <summary>
    /// Checks a stream of operations in history order without holding them: only the compact form is kept.
    /// <paramref name="lookup"/> (optional) finds an operation by index, for the transaction texts in explanations.
    /// </summary>
    public CheckResult Check(IEnumerable<Operation> operations, Func<long, Operation?>? lookup, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var state = new ListAppendState();
        long n = 0;
        foreach (var op in operations)
        {
            if ((++n & 0xFFFF) == 0) ct.ThrowIfCancellationRequested();
            state.Add(op);
        }
        state.Finish();
        var ingestMs = clock.ElapsedMilliseconds;
        var edges = state.InferEdges(ct);
        var graph = new TxnGraph(state.Txns, edges, model.NeedsProcessOrder, model.NeedsRealtimeOrder);
        edges = null;
        var search = new CycleSearch(graph);
        var cycles = search.FindAll(CycleReport.MaxListedPerType, ct);
        var explainer = new Explainer(state, cycles);
        var anomalies = new List<Anomaly>();
        foreach (var f in state.Findings)
            anomalies.Add(new Anomaly { Type = f.Type, Explanation = f.Text, Ops = [.. f.Ops], Data = f.Data });
        foreach (var c in cycles)
            anomalies.Add(CycleReport.Cycle(c, state.Txns, lookup, explainer.Why));
        var stats = new JsonObject
        {
            ["txns"] = state.Txns.Count,
            ["micro_ops"] = state.MicroOps,
            ["keys"] = state.Keys.Count,
            ["external_reads"] = state.ReadCount,
            ["edges"] = graph.DataEdgeCount,
            ["nontrivial_components"] = search.NontrivialComponents,
            ["ingest_ms"] = ingestMs,
            ["total_ms"] = clock.ElapsedMilliseconds,
        };
        return CycleReport.Result(Name, model, anomalies, stats, search.Truncated, levelName);
    }

    private sealed class Explainer
    {
        private readonly ListAppendState _s;
        private readonly Dictionary<(int Txn, int Key), int> _reads = [];

        public Explainer(ListAppendState s, List<FoundCycle> cycles)
        {
            _s = s;
            var txns = cycles.SelectMany(c => c.Steps.Select(x => x.From)).ToHashSet();
            if (txns.Count == 0) return;
            for (var r = 0; r < s.ReadCount; r++)
                if (txns.Contains(s.ReadTxn[r])) _reads[(s.ReadTxn[r], s.ReadKey[r])] = s.ReadLen[r];
        }

        public string Why(CycleStep step, string from, string to)
        {
            var k = step.Key;
            var key = _s.Keys.Name(k);
            var order = _s.Orders[k];
            long? Unread(int txn) => order.Unread?.FirstOrDefault(u => u.Txn == txn) is { Txn: var t, Value: var v } && t == txn ? v : null;
            string Prefix(int len) => Texts.List(order.Elems.AsSpan(0, len));
            switch (step.Kind)
            {
                case EdgeKinds.WW:
                    for (var p = 0; p + 1 < order.Count; p++)
                        if (order.Writers[p] == step.From && order.Writers[p + 1] == step.To)
                            return $"{from} appended {order.Elems[p]} to key {key} and {to} appended {order.Elems[p + 1]} right after it (version order of key {key}, from op {order.LongestOp}'s read), so {from} ww-precedes {to}";
                    var y = Unread(step.To);
                    return $"{to} appended {y} to key {key}, which no read observed, so it comes after {order.Elems[order.Count - 1]}, the last element read, which {from} appended; so {from} ww-precedes {to}";
                case EdgeKinds.WR:
                {
                    var len = _reads.GetValueOrDefault((step.To, k));
                    return $"{from} appended {order.Elems[len - 1]} to key {key}; {to} read key {key} = {Prefix(len)}, ending in it, so {from} wr-precedes {to}";
                }
                default:
                {
                    var len = _reads.GetValueOrDefault((step.From, k));
                    if (len < order.Count)
                        return $"{to} appended {order.Elems[len]} to key {key}; {from} read key {key} = {Prefix(len)}, without {order.Elems[len]}, so {from} rw-precedes {to}";
                    return $"{to} appended {Unread(step.To)} to key {key}, which no read observed; {from} read key {key} = {Prefix(len)}, without it, so {from} rw-precedes {to}";
                }
            }
        }
    }
}
