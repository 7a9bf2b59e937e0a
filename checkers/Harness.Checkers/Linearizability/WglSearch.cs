namespace Harness.Checkers.Linearizability;

/// <summary>
/// The Wing-Gong-Lowe search with Lowe's just-in-time linearization, as in Porcupine's checker.go: walk a
/// doubly linked list of call/return events; at a call, try to linearize the op now (model step + memo of
/// (linearized set, state)); at a return whose op is not linearized yet, backtrack. Optional ops (unknown
/// outcome) have their returns after every other event and need not be linearized: reaching one means every
/// required op is placed. The linearized set is a <c>ulong[]</c> bitset with an incremental Zobrist hash.
/// </summary>
internal sealed class WglSearch<TState, TOp>
    where TState : IEquatable<TState>
    where TOp : notnull
{
    private readonly LinearizabilityModel<TState, TOp> _model;
    private readonly TOp[] _ops;
    private readonly bool[] _optional;
    private readonly long[] _callPos;
    private readonly long[] _retPos;
    private readonly TState _init;

    // Linked list of entries: 0 = head, 1..2n = events, 2n+1 = tail.
    private readonly int[] _next;
    private readonly int[] _prev;
    private readonly int[] _entryOp;   // op id of each entry
    private readonly int[] _match;     // for a call entry: its return entry; for a return: -1

    private int[] _bestPrefix = [];
    private LinearizationCache<TState>? _cache;
    private int _bestLen;

    public WglSearch(LinearizabilityModel<TState, TOp> model, TOp[] ops, bool[] optional, long[] callPos, long[] retPos, TState init)
    {
        _model = model;
        _ops = ops;
        _optional = optional;
        _callPos = callPos;
        _retPos = retPos;
        _init = init;
        BestState = init;
        var n = ops.Length;
        var keys = new long[2 * n];
        var events = new int[2 * n]; // op id, negative-1 for returns
        for (var i = 0; i < n; i++)
        {
            keys[2 * i] = callPos[i];
            events[2 * i] = i;
            keys[(2 * i) + 1] = retPos[i];
            events[(2 * i) + 1] = -i - 1;
        }
        Array.Sort(keys, events);
        var size = (2 * n) + 2;
        _next = new int[size];
        _prev = new int[size];
        _entryOp = new int[size];
        _match = new int[size];
        var callEntry = new int[n];
        for (var e = 1; e <= 2 * n; e++)
        {
            var ev = events[e - 1];
            _next[e - 1] = e;
            _prev[e] = e - 1;
            if (ev >= 0)
            {
                _entryOp[e] = ev;
                callEntry[ev] = e;
            }
            else
            {
                var op = -ev - 1;
                _entryOp[e] = op;
                _match[e] = -1;
                _match[callEntry[op]] = e;
            }
        }
        _next[2 * n] = (2 * n) + 1;
        _prev[(2 * n) + 1] = 2 * n;
        _match[0] = -1;
        _match[(2 * n) + 1] = -1;
    }

    /// <summary>After a violation: the longest linearizable prefix found (op ids, in linearization order).</summary>
    public IReadOnlyList<int> BestPrefix => new ArraySegment<int>(_bestPrefix, 0, _bestLen);

    /// <summary>After a violation: the model state after <see cref="BestPrefix"/>.</summary>
    public TState BestState { get; private set; }

    /// <summary>
    /// The memory budget this search shares with the others of the check; when null, a budget of its own of
    /// <see cref="MaxCacheBytes"/>.
    /// </summary>
    public MemoryBudget? Budget { get; init; }

    /// <summary>The most memory the memo may use when the search has no shared <see cref="Budget"/>.</summary>
    public long MaxCacheBytes { get; init; } = 1L << 30;

    /// <summary>Steps after which the search stops with <see cref="SearchVerdict.OutOfFuel"/> (to be retried later).</summary>
    public long Fuel { get; init; } = long.MaxValue;

    /// <summary>After a run: the bytes the memo held when the search ended.</summary>
    public long MemoBytes { get; private set; }

    public SearchVerdict Run(CancellationToken ct)
    {
        var budget = Budget ?? new MemoryBudget(MaxCacheBytes, countProcess: false);
        using var memory = budget.Join();
        var verdict = Search(memory, ct);
        MemoBytes = _cache?.Bytes ?? 0;
        _cache = null;
        return verdict;
    }

    private SearchVerdict Search(MemoryBudget.Holder memory, CancellationToken ct)
    {
        var n = _ops.Length;
        if (n == 0) return SearchVerdict.Linearizable;
        var tail = (2 * n) + 1;
        // Required ops and optional ops get separate bitsets: the memo key is (required set, state), and a
        // configuration whose optional set is a superset of one already seen with the same key is pruned
        // (it can do nothing the other cannot: optional ops may also never be linearized).
        var slot = new int[n];
        int required = 0, optionalCount = 0;
        for (var i = 0; i < n; i++) slot[i] = _optional[i] ? optionalCount++ : required++;
        // Identical optional ops are interchangeable (both may take effect any time after their invocations):
        // only the earliest-invoked one not yet linearized is ever tried, which cuts symmetric branches.
        var previousTwin = new int[n];
        var lastOfKind = new Dictionary<TOp, int>();
        for (var i = 0; i < n; i++)
        {
            previousTwin[i] = -1;
            if (!_optional[i]) continue;
            if (lastOfKind.TryGetValue(_ops[i], out var twin)) previousTwin[i] = twin;
            lastOfKind[_ops[i]] = i;
        }
        var words = (required + 63) >> 6;
        var bits = new ulong[words];
        var opt = new ulong[(optionalCount + 63) >> 6];
        ulong bitsHash = 0;
        var zobrist = new ulong[required];
        for (var i = 0; i < required; i++) zobrist[i] = Mix((ulong)i + 1);
        var cache = new LinearizationCache<TState>(Math.Max(16, n), opt.Length, memory, _model.HasHeapStates ? _model.StateHeapBytes : null);
        _cache = cache;
        if (cache.OutOfMemory) return SearchVerdict.TooLarge;
        var full = 0;  // the first word of `bits` that is not all ones
        var top = -1;  // the last nonzero word of `bits`
        var stackEntry = new int[n];
        var stackState = new TState[n];
        var stackPass = new bool[n];
        // Each frame scans its candidates twice: required ops first, then optional ones, so configurations
        // with few optional ops are reached first and the dominance pruning above cuts the rest.
        var optionalPass = false;
        var depth = 0;
        var bestLen = -1;
        var lowWater = 0; // the lowest stack slot changed since the last copy into _bestPrefix
        _bestPrefix = new int[n];
        var state = _init;
        var entry = _next[0];
        var iterations = 0L;
        var fuel = Fuel;
        var next = _next;
        var match = _match;
        var entryOp = _entryOp;
        while (true)
        {
            if (entry == tail) return SearchVerdict.Linearizable;
            if ((++iterations & 0xFFF) == 0)
            {
                if (ct.IsCancellationRequested) return SearchVerdict.Cancelled;
                if (memory.Poll()) return SearchVerdict.TooLarge;
                if (iterations >= fuel) return SearchVerdict.OutOfFuel;
            }
            var op = entryOp[entry];
            if (match[entry] >= 0)
            {
                // A call: try to linearize its op now (if it belongs to this pass).
                if (_optional[op] != optionalPass
                    || (previousTwin[op] is var twin and >= 0 && (opt[slot[twin] >> 6] & (1UL << (slot[twin] & 63))) == 0))
                {
                    entry = next[entry];
                    continue;
                }
                if (_model.Step(state, _ops[op], out var newState))
                {
                    var s = slot[op];
                    var w = s >> 6;
                    var bit = 1UL << (s & 63);
                    var (oldFull, oldTop) = (full, top);
                    var h = bitsHash;
                    if (_optional[op])
                    {
                        opt[w] |= bit;
                    }
                    else
                    {
                        bits[w] |= bit;
                        if (w > top) top = w;
                        while (full < words && bits[full] == ulong.MaxValue) full++;
                        h ^= zobrist[s];
                    }
                    var window = full <= top ? bits.AsSpan(full, top - full + 1) : [];
                    if (cache.Add(h, full, window, opt, newState))
                    {
                        bitsHash = h;
                        stackEntry[depth] = entry;
                        stackState[depth] = state;
                        stackPass[depth] = optionalPass;
                        depth++;
                        state = newState;
                        Lift(entry);
                        entry = next[0];
                        optionalPass = false;
                        continue;
                    }
                    _cache = cache;
        if (cache.OutOfMemory) return SearchVerdict.TooLarge;
                    if (_optional[op]) opt[w] &= ~bit;
                    else bits[w] &= ~bit;
                    (full, top) = (oldFull, oldTop);
                }
                entry = next[entry];
            }
            else
            {
                // A return whose op is not linearized.
                if (_optional[op]) return SearchVerdict.Linearizable; // only optional returns remain
                if (!optionalPass && optionalCount > 0)
                {
                    optionalPass = true; // now try the optional candidates of this frame
                    entry = next[0];
                    continue;
                }
                if (depth > bestLen)
                {
                    // Copy only what changed since the last copy: amortized O(1) per push/pop.
                    for (var i = lowWater; i < depth; i++) _bestPrefix[i] = entryOp[stackEntry[i]];
                    bestLen = _bestLen = lowWater = depth;
                    BestState = state;
                }
                if (depth == 0) return SearchVerdict.NotLinearizable;
                depth--;
                if (depth < lowWater) lowWater = depth;
                entry = stackEntry[depth];
                state = stackState[depth];
                optionalPass = stackPass[depth];
                var undo = entryOp[entry];
                var us = slot[undo];
                var uw = us >> 6;
                if (_optional[undo])
                {
                    opt[uw] &= ~(1UL << (us & 63));
                }
                else
                {
                    bits[uw] &= ~(1UL << (us & 63));
                    if (uw < full) full = uw;
                    while (top >= 0 && bits[top] == 0) top--;
                    bitsHash ^= zobrist[us];
                }
                Unlift(entry);
                entry = next[entry];
            }
        }
    }

    /// <summary>
    /// After a violation: the ops that could come next after <see cref="BestPrefix"/> (invoked before the
    /// first pending required return) but cannot be applied in <see cref="BestState"/>.
    /// </summary>
    public IReadOnlyList<int> StuckOps()
    {
        var n = _ops.Length;
        var placed = new bool[n];
        foreach (var op in BestPrefix) placed[op] = true;
        var firstReturn = long.MaxValue;
        for (var i = 0; i < n; i++)
            if (!placed[i] && !_optional[i]) firstReturn = Math.Min(firstReturn, _retPos[i]);
        var candidates = Enumerable.Range(0, n).Where(i => !placed[i] && _callPos[i] < firstReturn).ToList();
        var stuck = candidates.Where(i => !_model.Step(BestState, _ops[i], out _)).ToList();
        return stuck.Count > 0 ? stuck : candidates;
    }

    private void Lift(int e)
    {
        var m = _match[e];
        _next[_prev[e]] = _next[e];
        _prev[_next[e]] = _prev[e];
        _next[_prev[m]] = _next[m];
        _prev[_next[m]] = _prev[m];
    }

    private void Unlift(int e)
    {
        var m = _match[e];
        _prev[_next[m]] = m;
        _next[_prev[m]] = m;
        _prev[_next[e]] = e;
        _next[_prev[e]] = e;
    }

    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
