namespace Harness.Checkers.Linearizability.Models;

/// <summary>A compact register operation: kind and interned values (A = read/written/expected value, B = new value).</summary>
public readonly record struct RegisterOp(RegisterOpKind Kind, int A, int B);
