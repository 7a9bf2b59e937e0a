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

    private readonly Dictionary<long, (long Parent, byte Kind, int Key)> _seen = [];
    private readonly Queue<long> _queue = new();

    /// <summary>True when some search stopped at its budget, so a class may have been missed.</summary>
    public bool Truncated { get; private set; }

    public int NontrivialComponents { get; private set; }

    public List<FoundCycle> FindAll(int maxPerClass, CancellationToken ct)
    {
        var (comp, count) = StronglyConnected.Components(graph, ct);
        var n = graph.TxnCount;
        var size = new int[count];
        for (var t = 0; t < n; t++) size[comp[t]]++;
        var members = new Dictionary<int, List<int>>();
        for (var t = 0; t < n; t++)
        {
            if (size[comp[t]] < 2) continue;
            if (!members.TryGetValue(comp[t], out var list)) members[comp[t]] = list = [];
            list.Add(t);
        }
        NontrivialComponents = members.Count;
        var found = new List<FoundCycle>();
        var perClass = new Dictionary<string, int>();
        var variants = new List<(string Suffix, EdgeKinds Extra, EdgeKinds Req)> { ("", EdgeKinds.None, EdgeKinds.None) };
        if (graph.UseProcess) variants.Add(("-process", EdgeKinds.Process, EdgeKinds.Process));
        if (graph.UseRealtime) variants.Add(("-realtime", EdgeKinds.Process | EdgeKinds.Realtime, EdgeKinds.Realtime));
        foreach (var (id, txns) in members.OrderBy(kv => kv.Value[0]))
        {
            ct.ThrowIfCancellationRequested();
            foreach (var (suffix, extra, req) in variants)
            {
                var classesFound = new HashSet<string>();
                foreach (var cls in Classes)
                {
                    if (classesFound.Contains(cls.Name)) continue;
                    if (cls.Name == "G2-item" && (classesFound.Contains("G-single") || classesFound.Contains("G-nonadjacent"))) continue;
                    var name = cls.Name + suffix;
                    if (perClass.GetValueOrDefault(name) >= maxPerClass) { classesFound.Add(cls.Name); continue; }
                    var cycle = Find(comp, id, txns, cls with { Allowed = cls.Allowed | extra, Req = req }, ct);
                    if (cycle is null) continue;
                    classesFound.Add(cls.Name);
                    perClass[name] = perClass.GetValueOrDefault(name) + 1;
                    found.Add(new FoundCycle(name, cycle.Value));
                }
            }
        }
        return found;
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

    private ImmutableArray<CycleStep>? Find(int[] comp, int id, List<int> txns, Spec spec, CancellationToken ct)
    {
        var budget = budgetPerSearch;
        foreach (var u in txns)
        {
            var (first, end) = graph.DataRange(u);
            for (var at = first; at < end; at++)
            {
                var v = graph.DataTarget(at, out var kind, out var key);
                if (kind != spec.Anchor || comp[v] != id) continue;
                var s0 = Step(spec, 0, kind);
                if (s0 < 0) continue;
                if (v == u) continue;
                var path = Bfs(comp, id, u, v, s0, spec, ref budget, ct);
                if (path is not null) return [new CycleStep(u, kind, v, key), .. path];
                if (budget <= 0)
                {
                    Truncated = true;
                    return null;
                }
            }
        }
        return null;
    }

    private List<CycleStep>? Bfs(int[] comp, int id, int target, int start, int s0, Spec spec, ref int budget, CancellationToken ct)
    {
        _seen.Clear();
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
            var degree = graph.Degree(u);
            for (var i = 0; i < degree; i++)
            {
                var v = graph.Target(u, i, out var kind, out var key);
                if (v < 0 || comp[v] != id) continue;
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
