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

    /// <summary>
    /// True when states own heap memory (strings, arrays) beyond their inline size; then
    /// <see cref="StateHeapBytes"/> tells the memory budget how much each stored state holds.
    /// </summary>
    public virtual bool HasHeapStates => false;

    /// <summary>Heap bytes a state owns beyond its inline size (object headers included), for the memory budget.</summary>
    public virtual int StateHeapBytes(in TState state) => 0;

    /// <summary>Bytes of a string object of this length on a 64-bit runtime.</summary>
    protected static int StringBytes(int length) => (22 + (2 * length) + 7) & ~7;

    /// <summary>Bytes of an array object of this length and element size on a 64-bit runtime.</summary>
    protected static int ArrayBytes(int length, int elementSize) => (24 + (length * elementSize) + 7) & ~7;

    internal sealed override PartitionSearch Prepare(IReadOnlyList<OpPair> pairs)
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
        return new Prepared(this, [.. ops], [.. optional], callPos, retPos, [.. which], values, Init(values));
    }

    private sealed class Prepared(
        LinearizabilityModel<TState, TOp> model, TOp[] ops, bool[] optional, long[] callPos, long[] retPos, int[] which,
        ValueInterner values, TState init) : PartitionSearch
    {
        public override int Ops => ops.Length;

        public override PartitionOutcome Run(MemoryBudget budget, long fuel, CancellationToken ct)
        {
            var search = new WglSearch<TState, TOp>(model, ops, optional, callPos, retPos, init) { Budget = budget, Fuel = fuel };
            var result = search.Run(ct);
            if (result != SearchVerdict.NotLinearizable) return new PartitionOutcome(result, ops.Length) { MemoBytes = search.MemoBytes };
            return new PartitionOutcome(SearchVerdict.NotLinearizable, ops.Length)
            {
                Prefix = [.. search.BestPrefix.Select(j => which[j])],
                Stuck = [.. search.StuckOps().Select(j => which[j])],
                State = model.DescribeState(search.BestState, values),
                MemoBytes = search.MemoBytes,
            };
        }
    }
}
