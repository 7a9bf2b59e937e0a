namespace Harness.Checkers.Cycles;

/// <summary>A (key id, value) pair used as a hash key: which transaction wrote this value to this key.</summary>
internal readonly struct KeyValue(int key, long value) : IEquatable<KeyValue>
{
    public int Key { get; } = key;
    public long Value { get; } = value;

    public bool Equals(KeyValue other) => Key == other.Key && Value == other.Value;
    public override bool Equals(object? obj) => obj is KeyValue kv && Equals(kv);
    public override int GetHashCode() => (int)((ulong)(Value * unchecked((long)0x9E3779B97F4A7C15) ^ ((long)Key << 32 | (uint)Key)) >> 32) ^ Key;
}
