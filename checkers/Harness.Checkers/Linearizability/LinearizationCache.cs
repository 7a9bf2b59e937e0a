namespace Harness.Checkers.Linearizability;

/// <summary>
/// The memo of the search: (set of linearized required ops, model state) -> the sets of linearized optional
/// ops seen with it. A configuration is new unless an entry with the same key has an optional set that is a
/// subset of its own (equal included). The required set is stored compactly as the number of leading
/// all-ones words plus the words up to the last nonzero one (linearized ops cluster at the start of the
/// partition, so this window is small even for 100,000-op partitions), in one flat <c>ulong[]</c> arena.
/// The required-set hash is maintained incrementally by the caller (Zobrist hashing).
/// </summary>
internal sealed class LinearizationCache<TState>(int capacity, int optionalWords)
    where TState : IEquatable<TState>
{
    private int[] _buckets = new int[RoundUp(capacity)];
    private int[] _chain = new int[RoundUp(capacity)];
    private ulong[] _hashes = new ulong[RoundUp(capacity)];
    private TState[] _states = new TState[RoundUp(capacity)];
    private int[] _full = new int[RoundUp(capacity)];     // leading all-ones words
    private int[] _offset = new int[RoundUp(capacity)];   // start of the stored words in the arena
    private int[] _length = new int[RoundUp(capacity)];   // stored words (the optional set follows them)
    private ulong[] _arena = new ulong[RoundUp(capacity)];
    private int _arenaUsed;
    private int _count;

    public int Count => _count;

    /// <summary>Roughly how much memory the memo holds.</summary>
    public long ApproxBytes => ((long)_hashes.Length * (32 + System.Runtime.CompilerServices.Unsafe.SizeOf<TState>())) + ((long)_arena.Length * 8);

    /// <summary>
    /// Adds the configuration; false when it (or one that dominates it) was already there.
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
                && IsSubset(_arena.AsSpan(_offset[i] + window.Length, optionalWords), optional))
                return false;
        }
        if (_count == _hashes.Length) Grow();
        var size = window.Length + optionalWords;
        if (_arenaUsed + size > _arena.Length)
            Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _arenaUsed + size));
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

    private static bool IsSubset(ReadOnlySpan<ulong> seen, ReadOnlySpan<ulong> current)
    {
        for (var i = 0; i < seen.Length; i++)
            if ((seen[i] & ~current[i]) != 0) return false;
        return true;
    }

    private void Grow()
    {
        var size = _hashes.Length * 2;
        Array.Resize(ref _hashes, size);
        Array.Resize(ref _states, size);
        Array.Resize(ref _chain, size);
        Array.Resize(ref _full, size);
        Array.Resize(ref _offset, size);
        Array.Resize(ref _length, size);
        _buckets = new int[size];
        var mask = size - 1;
        for (var i = 0; i < _count; i++)
        {
            var h = _hashes[i];
            var b = (int)(h ^ (h >> 32)) & mask;
            _chain[i] = _buckets[b];
            _buckets[b] = i + 1;
        }
    }

    private static int RoundUp(int n)
    {
        var size = 16;
        while (size < n) size <<= 1;
        return size;
    }
}
