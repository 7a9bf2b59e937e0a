namespace Harness.Checkers.Linearizability;

/// <summary>The outcome of searching one partition.</summary>
internal enum SearchVerdict
{
    Linearizable,
    NotLinearizable,
    Cancelled,
    /// <summary>The memo outgrew its memory budget: the search gave up.</summary>
    TooLarge,
    /// <summary>The search used up its steps (<see cref="WglSearch{TState, TOp}.Fuel"/>) undecided; it may be retried with more.</summary>
    OutOfFuel,
}
