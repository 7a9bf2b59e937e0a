namespace Harness.Checkers.Linearizability.Models;

/// <summary>
/// The string a key holds, with a polynomial hash that appends update in O(length of the suffix)
/// (<c>hash(s + t) = hash(s) * B^|t| + hash(t)</c>), so a step never rehashes the whole string.
/// </summary>
public readonly struct KvState : IEquatable<KvState>
{
    public KvState(string value, ulong hash)
    {
        Value = value;
        Hash = hash;
    }

    public string Value { get; }
    public ulong Hash { get; }

    /// <summary>The multiplier of the polynomial hash.</summary>
    public const ulong Base = 0x100000001B3UL;

    /// <summary>The hash of a string and <c>Base^length</c>.</summary>
    public static (ulong Hash, ulong Pow) HashOf(string s)
    {
        ulong h = 0, pow = 1;
        foreach (var c in s)
        {
            h = (h * Base) + c;
            pow *= Base;
        }
        return (h, pow);
    }

    public bool Equals(KvState other) => Hash == other.Hash && string.Equals(Value, other.Value, StringComparison.Ordinal);
    public override bool Equals(object? obj) => obj is KvState s && Equals(s);
    public override int GetHashCode() => (int)(Hash ^ (Hash >> 32));
    public static bool operator ==(KvState a, KvState b) => a.Equals(b);
    public static bool operator !=(KvState a, KvState b) => !a.Equals(b);
}
