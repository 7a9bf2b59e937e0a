using System.Runtime.CompilerServices;

namespace Harness.Checkers.Linearizability;

/// <summary>
/// The memo of the search: (set of linearized required ops, model state) -> the sets of linearized optional
/// ops seen with it. A configuration is new unless an entry with the same key has an optional set that is a
/// subset of its own (equal included). The required set is stored compactly as the number of leading
/// all-ones words plus the words up to the last nonzero one (linearized ops cluster at the start of the
/// partition, so this window is small even for 100,000-op partitions), in one flat <c>ulong[]</c> arena.
/// The required-set hash is maintained incrementally by the caller (Zobrist hashing).
/// Every byte it allocates is reserved first from the check's <see cref="MemoryBudget"/>: the arrays before
/// they are allocated (a growing array counts twice while it is copied), and the heap part of each stored
/// state (strings, arrays) as reported by the model.
/// </summary>
internal sealed class LinearizationCache<TState>
    where TState : IEquatable<TState>
{
    /// <summary>Heap bytes a state owns beyond its inline size (0 for plain values).</summary>
    public delegate int StateSize(in TState state);

    private static readonly int EntryBytes = (5 * sizeof(int)) + sizeof(ulong) + Unsafe.SizeOf<TState>();

    private readonly int _optionalWords;
    private readonly MemoryBudget.Holder _memory;
    private readonly StateSize? _stateSize;
    private readonly long _stateChunk;   // state bytes are reserved this many at a time
    private int[] _buckets;
    private int[] _chain;
    private ulong[] _hashes;
    private TState[] _states;
    private int[] _full;     // leading all-ones words
    private int[] _offset;   // start of the stored words in the arena
    private int[] _length;   // stored words (the optional set follows them)
    private ulong[] _arena;
    private int _arenaUsed;
    private int _count;
    private long _stateBytes;
    private long _stateReserved;

    public LinearizationCache(int capacity, int optionalWords, MemoryBudget.Holder memory, StateSize? stateSize)
    {
        _optionalWords = optionalWords;
        _memory = memory;
        _stateSize = stateSize;
        _stateChunk = Math.Clamp(memory.Budget.MemoLimit / 64, 1024, 256 * 1024);
        var size = RoundUp(capacity);
        if (!memory.Reserve((size * (long)EntryBytes) + (size * 8L)))
        {
            OutOfMemory = true;
            size = 16;
        }
        _buckets = new int[size];
        _chain = new int[size];
        _hashes = new ulong[size];
        _states = new TState[size];
        _full = new int[size];
        _offset = new int[size];
        _length = new int[size];
        _arena = new ulong[size];
    }

    public int Count => _count;

    /// <summary>True once a reservation failed: the search must give up.</summary>
    public bool OutOfMemory { get; private set; }

    /// <summary>The memory the memo holds (as reserved from the budget).</summary>
    public long Bytes => (_hashes.Length * (long)EntryBytes) + (_arena.Length * 8L) + _stateBytes;

    /// <summary>
    /// Adds the configuration; false when it (or one that dominates it) was already there, or when it does
    /// not fit in the memory budget (then <see cref="OutOfMemory"/> is set).
    /// <paramref name="window"/> is the required bitset's words from the first word that is not all ones
    /// (<paramref name="full"/>) to the last nonzero word; <paramref name="optional"/> the optional bitset.
    /// </summary>
    public bool Add(ulong bitsHash, int full, ReadOnlySpan<ulong> window, ReadOnlySpan<ulong> optional, in TState state)
    {
        var h = bitsHash ^ ((ulong)(uint)state.GetHashCode() * 0x9E3779B97F4A7C15UL);
        var mask = _buckets.Length - 1;
        var b = (int)(h ^ (h >> 32)) & mask;
        for (var i = _buckets[b] - 1; i >= 0; i = _chain[i] - 1)
        {
            if (_hashes[i] == h && _full[i] == full && _length[i] == window.Length
                && _arena.AsSpan(_offset[i], window.Length).SequenceEqual(window) && _states[i].Equals(state)
                && IsSubset(_arena.AsSpan(_offset[i] + window.Length, _optionalWords), optional))
                return false;
        }
        if (_stateSize is not null)
        {
            var sb = _stateSize(state);
            if (_stateBytes + sb > _stateReserved)
            {
                var more = Math.Max(sb, _stateChunk);
                if (!_memory.Reserve(more)) return Fail();
                _stateReserved += more;
            }
            _stateBytes += sb;
        }
        if (_count == _hashes.Length && !Grow()) return Fail();
        var size = window.Length + _optionalWords;
        if (_arenaUsed + size > _arena.Length)
        {
            var old = _arena.Length;
            var length = Math.Max(old * 2L, _arenaUsed + (long)size);
            if (length > Array.MaxLength || !_memory.Reserve(length * 8)) return Fail();
            Array.Resize(ref _arena, (int)length);
            _memory.Release(old * 8L);
        }
        mask = _buckets.Length - 1;
        b = (int)(h ^ (h >> 32)) & mask;
        var slot = _count++;
        _hashes[slot] = h;
        _states[slot] = state;
        _full[slot] = full;
        _offset[slot] = _arenaUsed;
        _length[slot] = window.Length;
        window.CopyTo(_arena.AsSpan(_arenaUsed));
        optional.CopyTo(_arena.AsSpan(_arenaUsed + window.Length));
        _arenaUsed += size;
        _chain[slot] = _buckets[b];
        _buckets[b] = slot + 1;
        return true;
    }

    private bool Fail()
    {
        OutOfMemory = true;
        return false;
    }

    private static bool IsSubset(ReadOnlySpan<ulong> seen, ReadOnlySpan<ulong> current)
    {
        for (var i = 0; i < seen.Length; i++)
            if ((seen[i] & ~current[i]) != 0) return false;
        return true;
    }

    private bool Grow()
    {
        var old = _hashes.Length;
        var size = old * 2L;
        if (size > Array.MaxLength || !_memory.Reserve(size * EntryBytes)) return false;
        Array.Resize(ref _hashes, (int)size);
        Array.Resize(ref _states, (int)size);
        Array.Resize(ref _chain, (int)size);
        Array.Resize(ref _full, (int)size);
        Array.Resize(ref _offset, (int)size);
        Array.Resize(ref _length, (int)size);
        _buckets = new int[size];
        _memory.Release(old * (long)EntryBytes);
        var mask = (int)size - 1;
        for (var i = 0; i < _count; i++)
        {
            var h = _hashes[i];
            var b = (int)(h ^ (h >> 32)) & mask;
            _chain[i] = _buckets[b];
            _buckets[b] = i + 1;
        }
        return true;
    }

    private static int RoundUp(int n)
    {
        var size = 16;
        while (size < n) size <<= 1;
        return size;
    }
}
