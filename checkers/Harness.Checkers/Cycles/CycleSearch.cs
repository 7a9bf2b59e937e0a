using System.Collections.Immutable;
using Harness.Checkers.Graphs;

namespace Harness.Checkers.Cycles;

/// <summary>
/// Finds and classifies cycles (Adya / Elle): strongly connected components first (linear), then inside each
/// non-trivial component a breadth-first search for the shortest cycle of each class, anchored on an edge of
/// the class's required kind, with a small state machine (number of rw edges, whether the previous edge was rw,
/// whether a required order edge was used). Classes, most severe first: G0 (ww only), G1c (ww+wr, at least one
/// wr), G-single (exactly one rw), G-nonadjacent (at least two rw, never two in a row, cyclically), G2-item (at
/// least one rw). The -process variants also use process-order edges (and need at least one), the -realtime
/// variants also use real-time edges (and need at least one). A variant is searched only when no more severe
/// form of the same class was found in the component.
/// </summary>
internal sealed class CycleSearch(TxnGraph graph, int budgetPerSearch = 2_000_000)
{
    private const int RwMask = 3, LastRw = 4, HasWr = 8, HasReq = 16;

    private Dictionary<long, (long Parent, byte Kind, int Key)> _seen = [];
    private readonly Queue<long> _queue = new();

    /// <summary>True when some search stopped at its budget, so a class may have been missed.</summary>
    public bool Truncated { get; private set; }

    public int NontrivialComponents { get; private set; }

    public List<FoundCycle> FindAll(int maxPerClass, CancellationToken ct)
    {
        var (_, full) = Components(graph, ct);
        NontrivialComponents = full.Count;
        var found = new List<FoundCycle>();
        if (full.Count == 0) return found;
        var perClass = new Dictionary<string, int>();
        var variants = new List<(string Suffix, EdgeKinds Extra, EdgeKinds Req)> { ("", EdgeKinds.None, EdgeKinds.None) };
        if (graph.UseProcess) variants.Add(("-process", EdgeKinds.Process, EdgeKinds.Process));
        if (graph.UseRealtime) variants.Add(("-realtime", EdgeKinds.Process | EdgeKinds.Realtime, EdgeKinds.Realtime));
        // Each class searches inside the components of the graph restricted to its own edge kinds (Elle does the
        // same): a class that does not occur usually has no such component, so its absence costs one linear pass.
        var byMask = new Dictionary<EdgeKinds, (int[] Comp, List<(int Id, List<int> Txns)> Members)>();
        foreach (var (suffix, extra, req) in variants)
        {
            var foundIn = new Dictionary<int, HashSet<string>>(); // component of the data-edge mask -> classes found
            foreach (var cls in Classes)
            {
                ct.ThrowIfCancellationRequested();
                var mask = cls.Allowed | extra;
                if (!byMask.TryGetValue(mask, out var sccs)) byMask[mask] = sccs = Components(new Filtered(graph, mask), ct);
                foreach (var (id, txns) in sccs.Members)
                {
                    var name = cls.Name + suffix;
                    if (perClass.GetValueOrDefault(name) >= maxPerClass) break;
                    var here = foundIn.TryGetValue(txns[0], out var set) ? set : foundIn[txns[0]] = [];
                    if (cls.Name == "G2-item" && (here.Contains("G-single") || here.Contains("G-nonadjacent"))) continue;
                    var cycle = Find(sccs.Comp, id, txns, cls with { Allowed = mask, Req = req }, ct);
                    if (cycle is null) continue;
                    here.Add(cls.Name);
                    perClass[name] = perClass.GetValueOrDefault(name) + 1;
                    found.Add(new FoundCycle(name, cycle.Value));
                }
            }
        }
        return found;
    }

    /// <summary>Components of a graph, and the transactions of each non-trivial one (in id order).</summary>
    private static (int[] Comp, List<(int Id, List<int> Txns)> Members) Components(IGraph g, CancellationToken ct)
    {
        var (comp, count) = StronglyConnected.Components(g, ct);
        var n = g is Filtered f ? f.TxnCount : ((TxnGraph)g).TxnCount;
        var size = new int[count];
        for (var t = 0; t < n; t++) size[comp[t]]++;
        var members = new Dictionary<int, List<int>>();
        for (var t = 0; t < n; t++)
        {
            if (size[comp[t]] < 2) continue;
            if (!members.TryGetValue(comp[t], out var list)) members[comp[t]] = list = [];
            list.Add(t);
        }
        return (comp, [.. members.OrderBy(kv => kv.Value[0]).Select(kv => (kv.Key, kv.Value))]);
    }

    /// <summary>The graph restricted to some edge kinds.</summary>
    private sealed class Filtered(TxnGraph g, EdgeKinds allowed) : IGraph
    {
        public int TxnCount => g.TxnCount;
        public int NodeCount => (allowed & EdgeKinds.Realtime) != 0 ? g.NodeCount : g.TxnCount;
        public int Degree(int node) => g.Degree(node);

        public int Target(int node, int i)
        {
            var v = g.Target(node, i, out var kind, out _);
            return (kind & allowed) != 0 && v < NodeCount ? v : -1;
        }
    }

    private sealed record Spec(string Name, EdgeKinds Allowed, EdgeKinds Anchor, int MinRw, int MaxRw, bool Nonadjacent)
    {
        public EdgeKinds Req { get; init; }
    }

    private static readonly Spec[] Classes =
    [
        new("G0", EdgeKinds.WW, EdgeKinds.WW, 0, 0, false),
        new("G1c", EdgeKinds.WW | EdgeKinds.WR, EdgeKinds.WR, 0, 0, false),
        new("G-single", EdgeKinds.Data, EdgeKinds.RW, 1, 1, false),
        new("G-nonadjacent", EdgeKinds.Data, EdgeKinds.RW, 2, 2, true),
        new("G2-item", EdgeKinds.Data, EdgeKinds.RW, 1, 2, false),
    ];

    private static int Step(Spec spec, int state, EdgeKinds kind)
    {
        if ((kind & spec.Allowed) == 0) return -1;
        if (kind == EdgeKinds.RW)
        {
            if (spec.Nonadjacent && (state & LastRw) != 0) return -1;
            var rw = Math.Min((state & RwMask) + 1, 2);
            if (rw > spec.MaxRw) return -1;
            state = (state & ~RwMask) | rw | LastRw;
        }
        else
        {
            state &= ~LastRw;
            if (kind == EdgeKinds.WR) state |= HasWr;
        }
        if ((kind & spec.Req) != 0) state |= HasReq;
        return state;
    }

    private static bool Accept(Spec spec, int state)
    {
        if ((state & RwMask) < spec.MinRw) return false;
        if (spec.Nonadjacent && spec.Anchor == EdgeKinds.RW && (state & LastRw) != 0) return false;
        if (spec.Req != EdgeKinds.None && (state & HasReq) == 0) return false;
        return true;
    }

    /// <summary>
    /// Anchor edges of one kind inside a component, most "backward in time" first (target completed long before
    /// the source was invoked): those close short cycles (a stale read is an rw edge back to a finished writer).
    /// </summary>
    private List<(int From, int At)> Anchors(int[] comp, int id, List<int> txns, EdgeKinds kind)
    {
        var key = (id, kind);
        if (_anchors.TryGetValue(key, out var cached)) return cached;
        var list = new List<(int From, int At, long Gap)>();
        var op = graph.Txns.OpIndex;
        var invoke = graph.Txns.InvokeIndex;
        foreach (var u in txns)
        {
            var (first, end) = graph.DataRange(u);
            for (var at = first; at < end; at++)
            {
                var v = graph.DataTarget(at, out var k, out _);
                if (k == kind && v != u && comp[v] == id) list.Add((u, at, invoke[u] - op[v]));
            }
        }
        list.Sort((a, b) => b.Gap.CompareTo(a.Gap));
        if (_anchors.Count > 64) _anchors.Clear();
        return _anchors[key] = [.. list.Select(x => (x.From, x.At))];
    }

    private readonly Dictionary<(int, EdgeKinds), List<(int From, int At)>> _anchors = [];

    /// <summary>Iterative deepening over the anchors: every anchor with a small search first, then larger ones.</summary>
    private ImmutableArray<CycleStep>? Find(int[] comp, int id, List<int> txns, Spec spec, CancellationToken ct)
    {
        var budget = budgetPerSearch;
        var anchors = Anchors(comp, id, txns, spec.Anchor);
        for (var limit = 256; ; limit *= 16)
        {
            var cut = false;
            foreach (var (u, at) in anchors)
            {
                var v = graph.DataTarget(at, out var kind, out var key);
                var s0 = Step(spec, 0, kind);
                if (s0 < 0) continue;
                var allowance = Math.Min(limit, budget);
                var path = Bfs(comp, id, u, v, s0, spec, ref allowance, ct);
                budget -= Math.Min(limit, budget) - Math.Max(allowance, 0);
                if (path is not null) return [new CycleStep(u, kind, v, key), .. path];
                if (allowance <= 0) cut = true;
                if (budget <= 0)
                {
                    Truncated = true;
                    return null;
                }
            }
            if (!cut) return null; // every search ran to completion: no such cycle
        }
    }

    private List<CycleStep>? Bfs(int[] comp, int id, int target, int start, int s0, Spec spec, ref int budget, CancellationToken ct)
    {
        if (_seen.Count > 4096) _seen = []; // Clear() would cost the old capacity on every later search
        else _seen.Clear();
        _queue.Clear();
        var startKey = Pack(start, s0);
        _seen[startKey] = (-1, 0, -1);
        _queue.Enqueue(startKey);
        while (_queue.Count > 0)
        {
            if (--budget <= 0) return null;
            if ((budget & 0x3FFF) == 0) ct.ThrowIfCancellationRequested();
            var cur = _queue.Dequeue();
            var (u, s) = Unpack(cur);
            if (Shortcut(u, s, target, spec, cur) is { } done) return done;
            var degree = graph.Degree(u);
            for (var i = 0; i < degree; i++)
            {
                var v = graph.Target(u, i, out var kind, out var key);
                if (v < 0 || v >= comp.Length || comp[v] != id) continue;
                var s2 = Step(spec, s, kind);
                if (s2 < 0) continue;
                var k = Pack(v, s2);
                if (_seen.ContainsKey(k)) continue;
                _seen[k] = (cur, (byte)kind, key);
                if (v == target)
                {
                    // A closed walk that repeats a transaction is several cycles glued together: not a witness.
                    if (Accept(spec, s2) && Rebuild(k) is var path && IsSimple(path, target)) return path;
                    continue; // a simple cycle does not pass through its anchor again
                }
                _queue.Enqueue(k);
            }
        }
        return null;
    }

    /// <summary>Walks parents back to the start and collapses runs through time-chain nodes into one real-time step.</summary>
    private List<CycleStep> Rebuild(long end)
    {
        var hops = new List<(int To, EdgeKinds Kind, int Key)>();
        var cur = end;
        int first;
        while (true)
        {
            var (parent, kind, key) = _seen[cur];
            if (parent < 0)
            {
                first = Unpack(cur).Node;
                break;
            }
            hops.Add((Unpack(cur).Node, (EdgeKinds)kind, key));
            cur = parent;
        }
        hops.Reverse();
        var steps = new List<CycleStep>();
        var from = first;
        var n = graph.TxnCount;
        foreach (var (to, kind, key) in hops)
        {
            if (to >= n) continue; // inside the time chain: the real-time step ends at the next transaction
            steps.Add(new CycleStep(from, kind, to, key));
            from = to;
        }
        return steps;
    }

    /// <summary>
    /// Order edges straight back to the target: real-time order is transitive (u completed before the target
    /// was invoked) and so is process order (same process, earlier), so one hop closes the cycle without walking
    /// the time chain.
    /// </summary>
    private List<CycleStep>? Shortcut(int u, int s, int target, Spec spec, long cur)
    {
        var txns = graph.Txns;
        if (u >= graph.TxnCount || u == target) return null;
        EdgeKinds kind;
        if (graph.UseProcess && (spec.Allowed & EdgeKinds.Process) != 0 && txns.Process[u] == txns.Process[target] && u < target
            && txns.Status[u] is TxnTable.Ok or TxnTable.Info)
            kind = EdgeKinds.Process;
        else if (graph.UseRealtime && (spec.Allowed & EdgeKinds.Realtime) != 0 && txns.RtNext[u] >= 0 && txns.RtNext[u] <= target)
            kind = EdgeKinds.Realtime;
        else
            return null;
        var s2 = Step(spec, s, kind);
        if (s2 < 0 || !Accept(spec, s2)) return null;
        var k = Pack(target, s2);
        if (!_seen.TryAdd(k, (cur, (byte)kind, -1))) return null;
        var path = Rebuild(k);
        return IsSimple(path, target) ? path : null;
    }

    private static bool IsSimple(List<CycleStep> path, int anchor)
    {
        var seen = new HashSet<int> { anchor };
        if (path.Count > 0 && path[0].From != anchor) seen.Add(path[0].From);
        foreach (var step in path)
            if (step.To != anchor && !seen.Add(step.To)) return false;
        return true;
    }

    private static long Pack(int node, int state) => ((long)node << 5) | (uint)state;

    private static (int Node, int State) Unpack(long k) => ((int)(k >> 5), (int)(k & 31));
}
