namespace Harness.Checkers.Linearizability.Models;

/// <summary>The string a key holds, with its hash computed once.</summary>
public readonly struct KvState : IEquatable<KvState>
{
    public KvState(string value)
    {
        Value = value;
        Hash = StringComparer.Ordinal.GetHashCode(value);
    }

    public string Value { get; }
    private int Hash { get; }

    public bool Equals(KvState other) => Hash == other.Hash && string.Equals(Value, other.Value, StringComparison.Ordinal);
    public override bool Equals(object? obj) => obj is KvState s && Equals(s);
    public override int GetHashCode() => Hash;
    public static bool operator ==(KvState a, KvState b) => a.Equals(b);
    public static bool operator !=(KvState a, KvState b) => !a.Equals(b);
}
