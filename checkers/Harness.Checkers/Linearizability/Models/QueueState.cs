namespace Harness.Checkers.Linearizability.Models;

/// <summary>The queue's elements (interned ids, front first), with a hash computed once.</summary>
public readonly struct QueueState : IEquatable<QueueState>
{
    public QueueState(int[] items)
    {
        Items = items;
        var h = new HashCode();
        foreach (var v in items) h.Add(v);
        Hash = h.ToHashCode();
    }

    public int[] Items { get; }
    private int Hash { get; }

    public bool Equals(QueueState other) => Hash == other.Hash && Items.AsSpan().SequenceEqual(other.Items);
    public override bool Equals(object? obj) => obj is QueueState s && Equals(s);
    public override int GetHashCode() => Hash;
    public static bool operator ==(QueueState a, QueueState b) => a.Equals(b);
    public static bool operator !=(QueueState a, QueueState b) => !a.Equals(b);
}
