namespace Harness.Checkers.Linearizability;

/// <summary>
/// The memo of the search: a hash set of (linearized bitset, model state). Bitsets live in one flat
/// <c>ulong[]</c> arena; the bitset hash is maintained incrementally by the caller (Zobrist hashing).
/// </summary>
internal sealed class LinearizationCache<TState>(int words, int capacity)
    where TState : IEquatable<TState>
{
    private int[] _buckets = new int[RoundUp(capacity)];
    private int[] _chain = new int[RoundUp(capacity)];
    private ulong[] _hashes = new ulong[RoundUp(capacity)];
    private TState[] _states = new TState[RoundUp(capacity)];
    private ulong[] _arena = new ulong[RoundUp(capacity) * words];
    private int _count;

    public int Count => _count;

    /// <summary>Adds the pair; false when it was already there.</summary>
    public bool Add(ulong bitsHash, ReadOnlySpan<ulong> bits, in TState state)
    {
        var h = bitsHash ^ ((ulong)(uint)state.GetHashCode() * 0x9E3779B97F4A7C15UL);
        var mask = _buckets.Length - 1;
        var b = (int)(h ^ (h >> 32)) & mask;
        for (var i = _buckets[b] - 1; i >= 0; i = _chain[i] - 1)
        {
            if (_hashes[i] == h && _states[i].Equals(state) && _arena.AsSpan(i * words, words).SequenceEqual(bits))
                return false;
        }
        if (_count == _hashes.Length) Grow();
        mask = _buckets.Length - 1;
        b = (int)(h ^ (h >> 32)) & mask;
        var slot = _count++;
        _hashes[slot] = h;
        _states[slot] = state;
        bits.CopyTo(_arena.AsSpan(slot * words, words));
        _chain[slot] = _buckets[b];
        _buckets[b] = slot + 1;
        return true;
    }

    private void Grow()
    {
        var size = _hashes.Length * 2;
        Array.Resize(ref _hashes, size);
        Array.Resize(ref _states, size);
        Array.Resize(ref _chain, size);
        Array.Resize(ref _arena, size * words);
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
