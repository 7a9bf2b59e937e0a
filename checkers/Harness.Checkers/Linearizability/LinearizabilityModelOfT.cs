namespace Harness.Checkers.Linearizability;

/// <summary>
/// A model with states <typeparamref name="TState"/> (small, immutable, with a cheap hash: the search
/// memoizes (linearized set, state) pairs) and compact operations <typeparamref name="TOp"/>.
/// </summary>
public abstract class LinearizabilityModel<TState, TOp> : LinearizabilityModel
    where TState : IEquatable<TState>
    where TOp : notnull
{
    /// <summary>
    /// Converts one operation to its compact form, interning values; says whether it must, may or must not
    /// be linearized. Throw <see cref="LinearizabilityInputException"/> for an operation the model cannot read.
    /// </summary>
    public abstract OpInclusion Convert(in OpPair pair, ValueInterner values, out TOp op);

    /// <summary>The initial state (called after every operation of the partition was converted).</summary>
    public abstract TState Init(ValueInterner values);

    /// <summary>Applies an operation: false when it is not legal in this state.</summary>
    public abstract bool Step(in TState state, in TOp op, out TState next);

    /// <summary>The state in words, for explanations.</summary>
    public abstract string DescribeState(in TState state, ValueInterner values);

    internal sealed override PartitionOutcome CheckPartition(IReadOnlyList<OpPair> pairs, CancellationToken ct)
    {
        var values = new ValueInterner();
        var ops = new List<TOp>(pairs.Count);
        var which = new List<int>(pairs.Count);
        var optional = new List<bool>(pairs.Count);
        for (var i = 0; i < pairs.Count; i++)
        {
            var inclusion = Convert(pairs[i], values, out var op);
            if (inclusion == OpInclusion.Skip) continue;
            if (inclusion == OpInclusion.Required && pairs[i].Completion is null) inclusion = OpInclusion.Optional;
            ops.Add(op);
            which.Add(i);
            optional.Add(inclusion == OpInclusion.Optional);
        }
        var n = ops.Count;
        var callPos = new long[n];
        var retPos = new long[n];
        for (var j = 0; j < n; j++)
        {
            var p = pairs[which[j]];
            callPos[j] = p.Invoke.Index;
            retPos[j] = optional[j] || p.Completion is null ? long.MaxValue - n + j : p.Completion.Index;
        }
        var init = Init(values);
        var search = new WglSearch<TState, TOp>(this, [.. ops], [.. optional], callPos, retPos, init);
        var result = search.Run(ct);
        if (result != SearchVerdict.NotLinearizable) return new PartitionOutcome(result, n);
        return new PartitionOutcome(SearchVerdict.NotLinearizable, n)
        {
            Prefix = [.. search.BestPrefix.Select(j => which[j])],
            Stuck = [.. search.StuckOps().Select(j => which[j])],
            State = DescribeState(search.BestState, values),
        };
    }
}
