using Harness.Core.Histories;

namespace Harness.Checkers.Linearizability.Models;

/// <summary>
/// A set, initially empty: <c>add v</c>, and <c>read</c> returning every element (<c>[v ...]</c>), which must
/// equal the set. Fails never happened; info adds may take effect or not; reads that did not complete ok are
/// left out. Elements are interned per history, so the state is a small bitset.
/// </summary>
public sealed class SetModel : LinearizabilityModel<SetState, SetModel.Op>
{
    /// <summary>An add of <c>Element</c>, or a read whose result is <c>Read</c> (distinct element ids).</summary>
    public readonly record struct Op(int Element, int[]? Read);

    public override string Name => "set";
    public override string Description => "set: add v / read [all elements], initially empty";

    public override OpInclusion Convert(in OpPair pair, ValueInterner values, out Op op)
    {
        switch (pair.F)
        {
            case "add":
                op = new Op(values.Id(pair.Input), null);
                return pair.DefaultInclusion;
            case "read":
                if (pair.Outcome != OpType.Ok) { op = default; return OpInclusion.Skip; }
                if (!pair.Output.IsSeq && pair.Output.Kind != DatumKind.Set)
                    throw new LinearizabilityInputException($"op {pair.Index}: a set read must return a list of elements, got {pair.Output}");
                var ids = pair.Output.Items.Select(values.Id).Distinct().ToArray();
                op = new Op(-1, ids);
                return OpInclusion.Required;
            default:
                throw RegisterValues.UnknownF(pair, Name, "add, read");
        }
    }

    public override SetState Init(ValueInterner values)
    {
        return new SetState(new ulong[Math.Max(1, (values.Count + 63) >> 6)], 0);
    }

    public override bool Step(in SetState state, in Op op, out SetState next)
    {
        if (op.Read is null)
        {
            next = state.With(op.Element, ElementHash(op.Element));
            return true;
        }
        next = state;
        // Compare the read (ids) with the set: same size and every id present.
        var count = 0;
        foreach (var w in state.Bits) count += System.Numerics.BitOperations.PopCount(w);
        if (count != op.Read.Length) return false;
        foreach (var id in op.Read)
            if (!state.Contains(id)) return false;
        return true;
    }

    /// <summary>Zobrist-style hash of one element.</summary>
    private static ulong ElementHash(int element)
    {
        var x = (ulong)element + 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    public override bool HasHeapStates => true;

    public override int StateHeapBytes(in SetState state) => ArrayBytes(state.Bits.Length, sizeof(ulong));

    public override string DescribeState(in SetState state, ValueInterner values)
    {
        var s = state;
        var items = Enumerable.Range(0, Math.Min(values.Count, s.Bits.Length * 64)).Where(s.Contains).Select(values.Describe).ToList();
        return items.Count == 0 ? "the set is empty" : $"the set holds {items.Count} elements: #{{{string.Join(" ", items.Take(50))}{(items.Count > 50 ? " ..." : "")}}}";
    }
}
