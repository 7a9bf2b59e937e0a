namespace Harness.Checkers.Sessions;

/// <summary>The session guarantees of Terry et al. 1994 (and consistent prefix, Terry 2013) that can be checked.</summary>
[Flags]
public enum SessionGuarantees
{
    None = 0,
    /// <summary>A read reflects every earlier write of its session.</summary>
    ReadYourWrites = 1,
    /// <summary>A read of a key is never older than an earlier read of that key in the session.</summary>
    MonotonicReads = 2,
    /// <summary>A session's writes become visible in session order.</summary>
    MonotonicWrites = 4,
    /// <summary>A write becomes visible only after the writes its session had read before it.</summary>
    WritesFollowReads = 8,
    /// <summary>Every read sees a prefix of one global order of writes (no gaps, no forks).</summary>
    ConsistentPrefix = 16,
    All = ReadYourWrites | MonotonicReads | MonotonicWrites | WritesFollowReads | ConsistentPrefix,
}
