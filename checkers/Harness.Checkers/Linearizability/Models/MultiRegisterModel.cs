using Harness.Core.Histories;

namespace Harness.Checkers.Linearizability.Models;

/// <summary>
/// Knossos' multi-register: named registers, each initially 0; <c>:f :txn</c> with
/// <c>[[:read k v] [:write k v] ...]</c> applied atomically; a read of nil matches anything. Fails never
/// happened; info transactions may take effect or not.
/// </summary>
public sealed class MultiRegisterModel : LinearizabilityModel<MultiRegisterState, int[]>
{
    public override string Name => "multi-register";
    public override string Description => "Knossos multi-register: txn of [read|write key value], registers initially 0";

    /// <summary>The op is a flat array of (kind 0 read / 1 write, register, value id) triples.</summary>
    public override OpInclusion Convert(in OpPair pair, ValueInterner values, out int[] op)
    {
        if (pair.F != "txn") throw RegisterValues.UnknownF(pair, Name, "txn");
        var txn = pair.Outcome == OpType.Ok ? pair.Output : pair.Input;
        if (!txn.IsSeq) throw new LinearizabilityInputException($"op {pair.Index}: txn needs a list of [read|write key value], got {txn}");
        var micro = new List<int>(txn.Count * 3);
        foreach (var m in txn.Items)
        {
            if (!m.IsSeq || m.Count != 3 || !m[0].IsName)
                throw new LinearizabilityInputException($"op {pair.Index}: micro-op must be [read|write key value], got {m}");
            var kind = m[0].AsName() switch
            {
                "read" or "r" => 0,
                "write" or "w" => 1,
                _ => throw new LinearizabilityInputException($"op {pair.Index}: unknown micro-op {m[0]} (expected read or write)"),
            };
            if (kind == 0 && m[2].IsNil) continue; // a nil read matches anything
            micro.Add(kind);
            micro.Add(values.Id(m[1])); // registers are indexed by their key's id
            micro.Add(values.Id(m[2]));
        }
        op = [.. micro];
        return pair.DefaultInclusion;
    }

    public override MultiRegisterState Init(ValueInterner values)
    {
        var zero = values.Id(Datum.Of(0));
        var init = new int[values.Count];
        Array.Fill(init, zero);
        return new MultiRegisterState(init);
    }

    public override bool Step(in MultiRegisterState state, in int[] op, out MultiRegisterState next)
    {
        int[]? copy = null;
        var current = state.Values;
        for (var i = 0; i < op.Length; i += 3)
        {
            var (kind, key, value) = (op[i], op[i + 1], op[i + 2]);
            if (kind == 0)
            {
                if (current[key] != value) { next = state; return false; }
            }
            else if (current[key] != value)
            {
                copy ??= (int[])state.Values.Clone();
                copy[key] = value;
                current = copy;
            }
        }
        next = copy is null ? state : new MultiRegisterState(copy);
        return true;
    }

    public override bool HasHeapStates => true;

    public override int StateHeapBytes(in MultiRegisterState state) => ArrayBytes(state.Values.Length, sizeof(int));

    public override string DescribeState(in MultiRegisterState state, ValueInterner values)
    {
        var zero = values.Id(Datum.Of(0));
        var vals = state.Values;
        var set = Enumerable.Range(0, vals.Length).Where(k => vals[k] != zero).Select(k => $"{values.Describe(k)}={values.Describe(vals[k])}").ToList();
        return set.Count == 0 ? "every register holds 0" : $"the registers hold {string.Join(", ", set)} (the others 0)";
    }
}
