namespace Harness.Checkers.Linearizability.Models;

/// <summary>The kinds of <see cref="RegisterOp"/>.</summary>
public enum RegisterOpKind : byte
{
    /// <summary>A read that returned A.</summary>
    Read,
    /// <summary>Writes A.</summary>
    Write,
    /// <summary>Compare-and-set: legal only when the value is A; sets B.</summary>
    Cas,
    /// <summary>A compare-and-set whose compare failed: legal only when the value is not A; changes nothing.</summary>
    CasFailed,
    /// <summary>A compare-and-set with an unknown result: always legal; sets B when the value is A.</summary>
    CasUnknown,
}
