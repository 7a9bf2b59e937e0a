namespace Harness.Checkers.Linearizability.Models;

/// <summary>A compact register operation: kind and interned values (A = read/written/expected value, B = new value).</summary>
public readonly record struct RegisterOp(RegisterOpKind Kind, int A, int B)
{
    /// <summary>The register semantics shared by every register model: is this op legal on <paramref name="state"/>, and what follows.</summary>
    public bool Apply(int state, out int next)
    {
        switch (Kind)
        {
            case RegisterOpKind.Read: next = state; return state == A;
            case RegisterOpKind.Write: next = A; return true;
            case RegisterOpKind.Cas: next = B; return state == A;
            case RegisterOpKind.CasFailed: next = state; return state != A;
            case RegisterOpKind.CasUnknown: next = state == A ? B : state; return true;
            default: next = state; return false;
        }
    }
}
