namespace Harness.Checkers.Linearizability.Models;

/// <summary>A kv operation: 0 get (returned Value), 1 put Value, 2 append Value.</summary>
public readonly record struct KvOp(byte Kind, string Value);
