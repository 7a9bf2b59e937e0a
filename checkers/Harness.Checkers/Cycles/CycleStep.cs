namespace Harness.Checkers.Cycles;

/// <summary>One hop of a dependency cycle: transaction <see cref="From"/> precedes <see cref="To"/> by an edge of <see cref="Kind"/> on key id <see cref="Key"/> (-1 for order edges).</summary>
internal readonly record struct CycleStep(int From, EdgeKinds Kind, int To, int Key);
