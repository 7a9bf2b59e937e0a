namespace Harness.Checkers.Linearizability;

/// <summary>
/// One memory budget for a whole check, shared by the searches of every key running at the same time.
/// Each search's memo reserves what it is about to allocate (arrays before they are allocated, model states
/// that live on the heap as they are stored) through its <see cref="Holder"/>. When a reservation does not
/// fit, the largest holder gives up: if that is the requester, its reservation fails; otherwise the largest
/// is told to give up (<see cref="Holder.MustGiveUp"/>, polled by the search) and the requester waits for the room.
/// Arrays a memo replaced, and the memo of a search that ended, stay counted as garbage until a full GC has
/// run (a reservation that does not fit forces one first), so the figure follows what the process really holds.
/// What the process already held when the check began counts too: the memos get 7/8 of the budget less the
/// working set at that time (at least half of it; the rest is for the GC's young garbage and overhead). As the
/// bound that really holds, the process working set is looked at (at most every 25 ms, and before every large reservation): when it
/// comes within 1/8 of the budget even after a full GC, the largest holder gives up.
/// </summary>
internal sealed class MemoryBudget
{
    private readonly object _lock = new();
    private readonly List<Holder> _holders = [];
    private readonly bool _countProcess;
    private long _used;
    private long _nextLook;
    private long _nextCollect;
    private long _garbage;
    private int _garbageGen;

    public MemoryBudget(long limit, bool countProcess = true)
    {
        Limit = limit;
        _countProcess = countProcess;
        MemoLimit = countProcess ? Math.Max(limit / 2, limit - Environment.WorkingSet) * 7 / 8 : limit;
    }

    /// <summary>The budget of the whole check.</summary>
    public long Limit { get; }

    /// <summary>How often the process working set is looked at.</summary>
    private const int LookIntervalMs = 25;

    /// <summary>The working set at which the largest memo gives up: 1/8 below the budget, so that what is
    /// allocated until the next look (and until that memo is dropped) still fits in it (with 1/16, a loaded
    /// 2-core machine once peaked at 201 MiB for a 200 MiB budget).</summary>
    private long ProcessLimit => Limit - Limit / 8;

    /// <summary>Bytes all memos together may hold (7/8 of the budget less what the process held at the start).</summary>
    public long MemoLimit { get; }

    /// <summary>Bytes reserved now, by every holder.</summary>
    public long Used => Interlocked.Read(ref _used);

    /// <summary>The most that was ever reserved at once.</summary>
    public long Peak { get; private set; }

    /// <summary>A new holder (one per search); dispose it when the search ends, which releases its bytes.</summary>
    public Holder Join()
    {
        var h = new Holder(this);
        lock (_lock) _holders.Add(h);
        return h;
    }

    /// <summary>"1 GiB", "512 MiB", "3.5 KiB".</summary>
    public static string Describe(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.#} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.#} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:0.#} KiB",
        _ => $"{bytes} bytes",
    };

    private bool Reserve(Holder holder, long bytes)
    {
        lock (_lock)
        {
            while (true)
            {
                if (holder.MustGiveUp) return false;
                if (_garbage > 0 && GC.CollectionCount(2) != _garbageGen)
                {
                    _used -= _garbage;
                    _garbage = 0;
                }
                if (_used + bytes > MemoLimit && _garbage > 0)
                {
                    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
                    continue;
                }
                if (_used + bytes <= MemoLimit && ProcessHasRoom(bytes))
                {
                    _used += bytes;
                    holder.Bytes += bytes;
                    if (_used > Peak) Peak = _used;
                    return true;
                }
                if (Leaving(holder))
                {
                    // A search told to give up still holds its bytes: wait for them.
                    Monitor.Wait(_lock, 20);
                    continue;
                }
                var largest = Largest();
                if (largest is null || largest == holder || largest.Bytes <= holder.Bytes)
                {
                    holder.MustGiveUp = true;
                    return false;
                }
                // Someone else holds more: it gives up, and this search waits for the room it frees.
                largest.MustGiveUp = true;
            }
        }
    }

    /// <summary>Bytes the holder dropped: still counted, as garbage, until the next full GC.</summary>
    private void Release(Holder holder, long bytes)
    {
        lock (_lock)
        {
            holder.Bytes -= bytes;
            _garbage += bytes;
            _garbageGen = GC.CollectionCount(2);
            Monitor.PulseAll(_lock);
        }
    }

    private void Leave(Holder holder)
    {
        lock (_lock)
        {
            _garbage += holder.Bytes;
            _garbageGen = GC.CollectionCount(2);
            holder.Bytes = 0;
            _holders.Remove(holder);
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>For a large reservation (an array about to double), whether the process itself has the room: its
    /// working set plus the new bytes within the budget, after a full GC if need be. The memos' own count misses
    /// what the runtime holds besides them (garbage not yet handed back, young objects), which is what a
    /// budget of process memory has to include.</summary>
    private bool ProcessHasRoom(long bytes)
    {
        if (!_countProcess || bytes < Limit / 64) return true;
        if (Environment.WorkingSet + bytes <= Limit) return true;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        if (_garbage > 0)
        {
            _used -= _garbage;
            _garbage = 0;
        }
        return Environment.WorkingSet + bytes <= Limit;
    }

    private bool Leaving(Holder except)
    {
        foreach (var h in _holders)
            if (h != except && h.MustGiveUp && h.Bytes > 0) return true;
        return false;
    }

    private Holder? Largest()
    {
        Holder? best = null;
        foreach (var h in _holders)
            if (!h.MustGiveUp && (best is null || h.Bytes > best.Bytes)) best = h;
        return best;
    }

    private void LookAtProcess()
    {
        if (!_countProcess) return;
        var now = Environment.TickCount64;
        if (now < Volatile.Read(ref _nextLook)) return;
        Volatile.Write(ref _nextLook, now + LookIntervalMs);
        if (Environment.WorkingSet <= ProcessLimit) return;
        if (now >= Volatile.Read(ref _nextCollect))
        {
            // The working set holds garbage too: collect before blaming anyone (at most once a second).
            Volatile.Write(ref _nextCollect, now + 1000);
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
            if (Environment.WorkingSet <= ProcessLimit) return;
        }
        lock (_lock)
        {
            // Only memos that hold a good part of the budget are to blame (not, say, a huge history).
            if (_used >= MemoLimit / 4 && Largest() is { } largest) largest.MustGiveUp = true;
        }
    }

    /// <summary>One search's share of the budget.</summary>
    internal sealed class Holder(MemoryBudget budget) : IDisposable
    {
        private volatile bool _mustGiveUp;

        /// <summary>Bytes this search holds (changed under the budget's lock).</summary>
        public long Bytes { get; set; }

        /// <summary>True when this search must stop (TooLarge): it outgrew the budget, or another needs the room.</summary>
        public bool MustGiveUp
        {
            get => _mustGiveUp;
            set => _mustGiveUp = value;
        }

        public MemoryBudget Budget => budget;

        /// <summary>Reserves bytes about to be allocated; false when they do not fit (the search must give up).</summary>
        public bool Reserve(long bytes) => bytes <= 0 || budget.Reserve(this, bytes);

        /// <summary>Returns bytes no longer held (an array replaced by a larger one).</summary>
        public void Release(long bytes)
        {
            if (bytes > 0) budget.Release(this, bytes);
        }

        /// <summary>Polled by the search: true when it must give up. Also looks at the process memory now and then.</summary>
        public bool Poll()
        {
            if (_mustGiveUp) return true;
            budget.LookAtProcess();
            return _mustGiveUp;
        }

        public void Dispose() => budget.Leave(this);
    }
}
