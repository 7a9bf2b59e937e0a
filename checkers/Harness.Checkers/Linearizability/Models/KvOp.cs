namespace Harness.Checkers.Linearizability.Models;

/// <summary>A kv operation: kind 0 get (returned Value), 1 put Value, 2 append Value; with Value's hash and Base^length.</summary>
public readonly record struct KvOp(byte Kind, string Value, ulong Hash, ulong Pow);
