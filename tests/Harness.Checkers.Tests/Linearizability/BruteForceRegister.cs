using Harness.Core.Histories;

namespace Harness.Checkers.Tests.Linearizability;

/// <summary>
/// An independent, exhaustive linearizability check for a single read/write/cas register (initially nil,
/// exact reads): tries every order of the ops consistent with real time, where ok ops must be placed, failed
/// ops are ignored, and info / incomplete ops may be placed anywhere after their invocation, or not at all.
/// </summary>
internal static class BruteForceRegister
{
    private sealed record Op(string F, Datum Value, long Call, long Return, bool Required);

    public static bool IsLinearizable(History h)
    {
        var ops = new List<Op>();
        foreach (var (inv, comp) in h.ClientPairs())
        {
            if (comp is { IsFail: true }) continue;
            if (inv.F == "read" && comp is not { IsOk: true }) continue;
            var ok = comp is { IsOk: true };
            ops.Add(new Op(inv.F, ok ? comp!.Value ?? Datum.Nil : inv.Value ?? Datum.Nil, inv.Index, ok ? comp!.Index : long.MaxValue, ok));
        }
        return Search(ops, new bool[ops.Count], Datum.Nil);
    }

    /// <summary>
    /// True when the ops (invocation indices) in this order are a legal run of the register from nil and
    /// respect real time (no op placed before one that completed before it was invoked).
    /// </summary>
    public static bool IsLegalPrefix(History h, IReadOnlyList<long> order)
    {
        var state = Datum.Nil;
        var placed = new List<(long Call, long Return)>();
        foreach (var index in order)
        {
            var inv = h[(int)index];
            var comp = h.Completion(inv);
            var ok = comp is { IsOk: true };
            var value = ok ? comp!.Value ?? Datum.Nil : inv.Value ?? Datum.Nil;
            switch (inv.F)
            {
                case "read" when !value.Equals(state): return false;
                case "write": state = value; break;
                case "cas":
                    if (!value[0].Equals(state)) return false;
                    state = value[1];
                    break;
            }
            // Real time: an earlier-placed op must not have been invoked after this one returned.
            var ret = ok ? comp!.Index : long.MaxValue;
            if (placed.Any(p => p.Call > ret)) return false;
            placed.Add((inv.Index, ret));
        }
        return true;
    }

    private static bool Search(List<Op> ops, bool[] done, Datum state)
    {
        if (Enumerable.Range(0, ops.Count).All(i => done[i] || !ops[i].Required)) return true;
        for (var i = 0; i < ops.Count; i++)
        {
            if (done[i]) continue;
            // i can go next only if no other pending required op returned before i was invoked.
            var ready = true;
            for (var j = 0; j < ops.Count && ready; j++)
                if (j != i && !done[j] && ops[j].Required && ops[j].Return < ops[i].Call) ready = false;
            if (!ready) continue;
            Datum next;
            var op = ops[i];
            switch (op.F)
            {
                case "read":
                    if (!op.Value.Equals(state)) continue;
                    next = state;
                    break;
                case "write":
                    next = op.Value;
                    break;
                default:
                    if (!op.Value[0].Equals(state)) continue;
                    next = op.Value[1];
                    break;
            }
            done[i] = true;
            if (Search(ops, done, next)) return true;
            done[i] = false;
        }
        return false;
    }
}
