namespace Harness.Core.Checking;

/// <summary>A checker's verdict. Merging ranks Invalid over Unknown over Valid (Jepsen's merge-valid).</summary>
public enum Validity
{
    Valid,
    Unknown,
    Invalid,
}

public static class ValidityExtensions
{
    public static Validity Merge(this Validity a, Validity b) => (Validity)Math.Max((int)a, (int)b);

    /// <summary>Process exit code: 0 valid, 1 invalid, 2 unknown.</summary>
    public static int ExitCode(this Validity v) => v switch { Validity.Valid => 0, Validity.Invalid => 1, _ => 2 };

    public static string Word(this Validity v) => v switch { Validity.Valid => "valid", Validity.Invalid => "invalid", _ => "unknown" };
}
