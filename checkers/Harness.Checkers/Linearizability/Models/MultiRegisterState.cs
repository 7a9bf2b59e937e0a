namespace Harness.Checkers.Linearizability.Models;

/// <summary>The values (interned ids) of every register, with a hash computed once.</summary>
public readonly struct MultiRegisterState : IEquatable<MultiRegisterState>
{
    public MultiRegisterState(int[] values)
    {
        Values = values;
        var h = new HashCode();
        foreach (var v in values) h.Add(v);
        Hash = h.ToHashCode();
    }

    public int[] Values { get; }
    private int Hash { get; }

    public bool Equals(MultiRegisterState other) => Hash == other.Hash && Values.AsSpan().SequenceEqual(other.Values);
    public override bool Equals(object? obj) => obj is MultiRegisterState s && Equals(s);
    public override int GetHashCode() => Hash;
    public static bool operator ==(MultiRegisterState a, MultiRegisterState b) => a.Equals(b);
    public static bool operator !=(MultiRegisterState a, MultiRegisterState b) => !a.Equals(b);
}
