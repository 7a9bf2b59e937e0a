namespace Harness.Checkers.Linearizability;

/// <summary>One partition with its ops converted by the model, ready to be searched (again, with more steps).</summary>
internal abstract class PartitionSearch
{
    /// <summary>Ops the search places (after dropping the ones the model skips).</summary>
    public abstract int Ops { get; }

    /// <summary>
    /// Runs a fresh WGL search within <paramref name="fuel"/> steps, its memo reserving from <paramref name="budget"/>.
    /// </summary>
    public abstract PartitionOutcome Run(MemoryBudget budget, long fuel, CancellationToken ct);
}
