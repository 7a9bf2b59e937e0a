namespace Harness.Checkers.Linearizability;

/// <summary>
/// The verdict for one partition. On a violation: the longest linearizable prefix found, the ops that cannot
/// be placed after it (both as indices into the partition's pairs) and the model state after the prefix.
/// </summary>
internal sealed record PartitionOutcome(SearchVerdict Verdict, int SearchedOps)
{
    public int[] Prefix { get; init; } = [];
    public int[] Stuck { get; init; } = [];
    public string State { get; init; } = "";

    /// <summary>The bytes the search's memo held when it ended.</summary>
    public long MemoBytes { get; init; }
}
