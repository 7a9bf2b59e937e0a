namespace Harness.Checkers.Cycles;

/// <summary>Kinds of dependency edges between transactions (Adya's ww, wr, rw, plus process and real-time order).</summary>
[Flags]
public enum EdgeKinds : byte
{
    None = 0,
    /// <summary>Write-write: the source installed the version right before the target's.</summary>
    WW = 1,
    /// <summary>Write-read: the target read a version the source installed.</summary>
    WR = 2,
    /// <summary>Read-write (anti-dependency): the source read a version the target overwrote.</summary>
    RW = 4,
    /// <summary>Same process (session), the source completed before the target was invoked.</summary>
    Process = 8,
    /// <summary>The source completed before the target was invoked (any processes).</summary>
    Realtime = 16,
    Data = WW | WR | RW,
}
