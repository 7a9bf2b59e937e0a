using System.Text.Json.Nodes;
using Harness.Core.Checking;
using Harness.Core.Histories;

namespace Harness.Checkers.Cycles;

/// <summary>
/// Elle-style checker for rw-register histories (f "txn", value [["w",k,v],["r",k,v|null]]). Assumes written
/// values are unique per key (duplicates are reported and make reads ambiguous). Dependencies: wr from the
/// writer of each value read; version order v1 &lt; v2 when a transaction read v1 and then wrote v2 (and the
/// initial nil precedes every version), giving ww (writer of v1 to writer of v2) and rw (readers of v1 to the
/// writer of v2); plus process and real-time order when the model needs them. No other version order is
/// assumed (Elle's default; no linearizable/sequential-keys assumption), so some cycles may go unseen.
/// Reports G0, G1a, G1b, G1c, G-single, G-nonadjacent, G2-item (and -process/-realtime), internal
/// inconsistency, lost update, garbage reads. Valid means none that the model forbids.
/// </summary>
public sealed class RwRegisterChecker(ConsistencyModel model) : IChecker
{
    public string Name => "rw-register";

    public ConsistencyModel Model => model;

    public CheckResult Check(History history, CancellationToken ct)
    {
        var state = new RwRegisterState();
        foreach (var op in history)
        {
            ct.ThrowIfCancellationRequested();
            state.Add(op);
        }
        state.Finish();
        var graph = new TxnGraph(state.Txns, state.InferEdges(ct), model.NeedsProcessOrder, model.NeedsRealtimeOrder);
        var search = new CycleSearch(graph);
        var cycles = search.FindAll(CycleReport.MaxListedPerType, ct);
        var anomalies = state.Findings.Select(f => new Anomaly { Type = f.Type, Explanation = f.Text, Ops = [.. f.Ops], Data = f.Data }).ToList();
        foreach (var c in cycles)
            anomalies.Add(CycleReport.Cycle(c, state.Txns, i => i >= 0 && i < history.Count ? history[(int)i] : null, (s, from, to) => Why(state, s, from, to)));
        var stats = new JsonObject
        {
            ["txns"] = state.Txns.Count,
            ["keys"] = state.Keys.Count,
            ["edges"] = graph.DataEdgeCount,
            ["nontrivial_components"] = search.NontrivialComponents,
            ["nil_edges_truncated"] = state.NilEdgesTruncated,
        };
        return CycleReport.Result(Name, model, anomalies, stats, search.Truncated);
    }

    private static string Why(RwRegisterState s, CycleStep step, string from, string to)
    {
        var key = s.Keys.Name(step.Key);
        var a = s.Access.GetValueOrDefault((step.From, step.Key));
        var b = s.Access.GetValueOrDefault((step.To, step.Key));
        string V(long v) => RwRegisterState.Show(v);
        return step.Kind switch
        {
            EdgeKinds.WW => $"{from} wrote {V(a.Write)} to key {key}; {to} read key {key} = {V(b.Read)} and then wrote {V(b.Write)}, so {from} ww-precedes {to}",
            EdgeKinds.WR => $"{from} wrote {V(a.Write)} to key {key}; {to} read key {key} = {V(b.Read)}, so {from} wr-precedes {to}",
            _ => b.HasRead && b.Read == a.Read
                ? $"{from} read key {key} = {V(a.Read)}; {to} read the same value and then overwrote it with {V(b.Write)}, so {from} rw-precedes {to}"
                : $"{from} read key {key} = nil (the initial state); {to} wrote {V(b.Write)}, a later version, so {from} rw-precedes {to}",
        };
    }
}
