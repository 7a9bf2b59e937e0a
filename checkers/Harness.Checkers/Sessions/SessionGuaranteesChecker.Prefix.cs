using System.Text;
using System.Text.Json.Nodes;
using Harness.Checkers.Cycles;
using Harness.Core.Checking;
using Harness.Checkers.Graphs;

namespace Harness.Checkers.Sessions;

public sealed partial class SessionGuaranteesChecker
{
    /// <summary>Consistent prefix on one key: every read must be a prefix of the key's longest read.</summary>
    private static void IncompatibleReads(SessionData d, List<Anomaly> found)
    {
        foreach (var x in d.Incompatibles)
        {
            var order = d.Orders[x.Key];
            found.Add(Violation(ConsistentPrefix, x.Session, d, x.Key, [x.OtherOp], x.Op, null, x.Read.Length,
                $"session {x.Session}: op {x.Op} read key {d.Keys.Name(x.Key)} = {Texts.List(x.Read)}, which is not a prefix of op {x.OtherOp}'s "
                + $"{Texts.List([.. order.Elems])} (they differ at position {x.At}): no single order of appends explains both",
                new JsonObject { ["read"] = Texts.JsonList(x.Read), ["other_read"] = Texts.JsonList([.. order.Elems]), ["diverges_at"] = x.At }));
        }
    }

    /// <summary>
    /// Consistent prefix across keys: all reads must be prefixes of ONE global order of appends. Nodes are the
    /// elements of every key's version order (chained per key) and one node per transaction reading several keys,
    /// with edges last-seen element → transaction → first unseen element. A global order exists exactly when
    /// this graph is acyclic; each cycle is a set of snapshots that cannot be ordered.
    /// </summary>
    private static void CrossKeyPrefix(SessionData d, List<Anomaly> found, CancellationToken ct)
    {
        var offset = new int[d.Orders.Count + 1];
        for (var k = 0; k < d.Orders.Count; k++) offset[k + 1] = offset[k] + d.Orders[k].Elems.Count;
        var elements = offset[^1];
        var multi = d.Txns.Where(t => t.Reads.Count >= 2).ToList();
        var edges = new EdgeBuffer();
        for (var k = 0; k < d.Orders.Count; k++)
            for (var p = 0; p + 1 < d.Orders[k].Elems.Count; p++) edges.Add(offset[k] + p, offset[k] + p + 1, EdgeKinds.WW, k);
        for (var i = 0; i < multi.Count; i++)
        {
            var x = elements + i;
            foreach (var (k, len) in multi[i].Reads)
            {
                if (len > 0) edges.Add(offset[k] + len - 1, x, EdgeKinds.WR, k);
                if (len < d.Orders[k].Elems.Count) edges.Add(x, offset[k] + len, EdgeKinds.RW, k);
            }
        }
        var (start, dst, _, _) = edges.ToCsr(elements + multi.Count);
        var graph = new CsrGraph(start, dst);
        var (comp, count) = StronglyConnected.Components(graph, ct);
        var done = new HashSet<int>();
        for (var i = 0; i < multi.Count; i++)
        {
            var x = elements + i;
            if (done.Contains(comp[x])) continue;
            var cycle = graph.ShortestCycle(x, comp);
            if (cycle is null) continue;
            done.Add(comp[x]);
            found.Add(PrefixCycle(d, multi, offset, elements, cycle));
        }
        _ = count;
    }

    private static Anomaly PrefixCycle(SessionData d, List<SessionData.Txn> multi, int[] offset, int elements, List<int> cycle)
    {
        int KeyOf(int node) => Array.FindLastIndex(offset, o => o <= node) is var k and >= 0 && k < d.Orders.Count ? k : d.Orders.Count - 1;
        // Rotate so the cycle starts at a transaction node, then walk: X -(first unseen of key k)-> chain -> Y
        // means Y saw key k further than X did.
        var steps = new List<(SessionData.Txn From, int Key, int FromVersion, SessionData.Txn To, int ToVersion)>();
        var n = cycle.Count;
        for (var i = 0; i < n; i++)
        {
            if (cycle[i] < elements) continue;
            var from = multi[cycle[i] - elements];
            var j = (i + 1) % n;
            var firstUnseen = cycle[j];
            while (cycle[(j + 1) % n] < elements) j = (j + 1) % n;
            var lastSeen = cycle[j];
            var to = multi[cycle[(j + 1) % n] - elements];
            var k = KeyOf(firstUnseen);
            steps.Add((from, k, firstUnseen - offset[k], to, lastSeen - offset[k] + 1));
        }
        var text = new StringBuilder($"reads that fit no single order of appends ({steps.Count} transactions):");
        var data = new JsonArray();
        foreach (var s in steps)
        {
            var key = d.Keys.Name(s.Key);
            text.Append($"\n  op {s.From.Op} (session {s.From.Session}) read key {key} at version {s.FromVersion}; op {s.To.Op} (session {s.To.Session}) read it at version {s.ToVersion}, so op {s.To.Op}'s snapshot is later on key {key}");
            data.Add((JsonNode)new JsonObject { ["op"] = s.From.Op, ["key"] = Texts.Json(key), ["version"] = s.FromVersion, ["next_op"] = s.To.Op, ["next_version"] = s.ToVersion });
        }
        text.Append("\n  each snapshot is later than the previous one on some key, back to the first: no global prefix contains them all");
        var last = steps[^1];
        // The closing step: last.From is behind last.To on last.Key although the cycle puts it after last.To.
        return Violation(ConsistentPrefix, last.From.Session, d, last.Key, steps.Select(s => s.From.Op), last.From.Op, last.ToVersion, last.FromVersion,
            text.ToString(), new JsonObject { ["cycle"] = data });
    }
}
