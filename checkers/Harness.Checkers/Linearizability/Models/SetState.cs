namespace Harness.Checkers.Linearizability.Models;

/// <summary>A set of interned elements as a bitset, with an order-independent hash kept up to date.</summary>
public readonly struct SetState : IEquatable<SetState>
{
    public SetState(ulong[] bits, ulong hash)
    {
        Bits = bits;
        Hash = hash;
    }

    public ulong[] Bits { get; }
    public ulong Hash { get; }

    public bool Contains(int element) => (Bits[element >> 6] & (1UL << (element & 63))) != 0;

    /// <summary>A copy with the element added (this state when it was already there).</summary>
    public SetState With(int element, ulong elementHash)
    {
        if (Contains(element)) return this;
        var bits = (ulong[])Bits.Clone();
        bits[element >> 6] |= 1UL << (element & 63);
        return new SetState(bits, Hash ^ elementHash);
    }

    public bool Equals(SetState other) => Hash == other.Hash && Bits.AsSpan().SequenceEqual(other.Bits);
    public override bool Equals(object? obj) => obj is SetState s && Equals(s);
    public override int GetHashCode() => (int)(Hash ^ (Hash >> 32));
    public static bool operator ==(SetState a, SetState b) => a.Equals(b);
    public static bool operator !=(SetState a, SetState b) => !a.Equals(b);
}
