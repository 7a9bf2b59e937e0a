namespace Harness.Checkers.Cycles;

/// <summary>A (key id, value) pair used as a hash key: which transaction wrote this value to this key.</summary>
internal readonly struct KeyValue(int key, long value) : IEquatable<KeyValue>
{
    public int Key { get; } = key;
    public long Value { get; } = value;

    public bool Equals(KeyValue other) => Key == other.Key && Value == other.Value;
    public override bool Equals(object? obj) => obj is KeyValue kv && Equals(kv);
    public override int GetHashCode()
    {
        var h = unchecked((ulong)Value * 0x9E3779B97F4A7C15UL + (ulong)(uint)Key * 0xC2B2AE3D27D4EB4FUL);
        h ^= h >> 29;
        return (int)h ^ (int)(h >> 32);
    }
}
