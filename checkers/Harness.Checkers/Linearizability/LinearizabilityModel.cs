namespace Harness.Checkers.Linearizability;

/// <summary>
/// A sequential specification for the linearizability checker. Implement
/// <see cref="LinearizabilityModel{TState, TOp}"/>: it converts operations to a compact form once and steps
/// states; the search itself is not the model's business.
/// </summary>
public abstract class LinearizabilityModel
{
    /// <summary>The name used by <c>--model</c>.</summary>
    public abstract string Name { get; }

    /// <summary>One line: what the model is and which operations it understands.</summary>
    public abstract string Description { get; }

    /// <summary>
    /// True when keyed values (<c>{"key":k,"value":v}</c>) name independent objects, checked one key at a
    /// time (P-compositionality).
    /// </summary>
    public virtual bool SplitsByKey => false;

    /// <summary>Converts one partition's ops once (called by the checker, possibly in parallel); searched by <see cref="PartitionSearch.Run"/>.</summary>
    internal abstract PartitionSearch Prepare(IReadOnlyList<OpPair> pairs);
}
