namespace Harness.Checkers.Linearizability;

/// <summary>The outcome of searching one partition.</summary>
internal enum SearchVerdict
{
    Linearizable,
    NotLinearizable,
    Cancelled,
    /// <summary>The memo outgrew its memory budget: the search gave up.</summary>
    TooLarge,
}
