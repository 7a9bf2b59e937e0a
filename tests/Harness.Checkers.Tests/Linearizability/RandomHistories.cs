using Harness.Core.Histories;

namespace Harness.Checkers.Tests.Linearizability;

/// <summary>Random single-register histories for property tests, from a seed.</summary>
internal static class RandomHistories
{
    /// <summary>
    /// A real sequential execution with random concurrency: each op takes effect on one register at a random
    /// moment between its invocation and its completion; some ops crash (info) after taking effect or not.
    /// </summary>
    public static History Linearizable(int seed, int ops, int processes)
    {
        var rng = new Random(seed);
        long? register = null;
        var events = new List<Operation>();
        var pending = new (Operation Op, bool Applied, Datum? Result)?[processes];
        var ids = Enumerable.Range(0, processes).ToArray();
        var invoked = 0;
        while (invoked < ops || pending.Any(p => p is not null))
        {
            var slot = rng.Next(processes);
            // Let a random pending op take effect now (its linearization point).
            var effect = rng.Next(processes);
            if (pending[effect] is { Applied: false } pe)
                pending[effect] = (pe.Op, true, Apply(pe.Op, ref register));
            if (pending[slot] is { } p)
            {
                if (rng.Next(8) == 0)
                {
                    events.Add(p.Op with { Type = OpType.Info, Index = events.Count });
                    ids[slot] += processes;
                    pending[slot] = null;
                    continue;
                }
                if (!p.Applied) p = (p.Op, true, Apply(p.Op, ref register));
                var (type, value) = p.Result switch
                {
                    { } r when p.Op.F == "read" => (OpType.Ok, r),
                    null when p.Op.F == "cas" => (OpType.Fail, p.Op.Value),
                    _ => (OpType.Ok, p.Op.Value),
                };
                events.Add(p.Op with { Type = type, Value = value, Index = events.Count });
                pending[slot] = null;
            }
            else if (invoked < ops)
            {
                invoked++;
                var op = rng.Next(3) switch
                {
                    0 => Operation.Invoke(ids[slot], "read", Datum.Nil),
                    1 => Operation.Invoke(ids[slot], "write", Datum.Of(rng.Next(4))),
                    _ => Operation.Invoke(ids[slot], "cas", Datum.Ints(rng.Next(4), rng.Next(4))),
                };
                events.Add(op with { Index = events.Count });
                pending[slot] = (op, false, null);
            }
        }
        return new History(events);
    }

    /// <summary>Applies an op to the register; returns the read value, the value for ok writes/cas, null for a failed cas.</summary>
    private static Datum? Apply(Operation op, ref long? register)
    {
        switch (op.F)
        {
            case "read":
                return register is { } r ? Datum.Of(r) : Datum.Nil;
            case "write":
                register = op.Value!.AsLong();
                return op.Value;
            default:
                if (register != op.Value![0].AsLong()) return null;
                register = op.Value[1].AsLong();
                return op.Value;
        }
    }

    /// <summary>A small history with arbitrary results (valid or not), for comparing with brute force.</summary>
    public static History Arbitrary(int seed, int ops, int processes)
    {
        var rng = new Random(seed);
        var events = new List<Operation>();
        var pending = new Operation?[processes];
        var ids = Enumerable.Range(0, processes).ToArray();
        var invoked = 0;
        while (invoked < ops || pending.Any(p => p is not null))
        {
            var slot = rng.Next(processes);
            if (pending[slot] is { } inv)
            {
                pending[slot] = null;
                var roll = rng.Next(10);
                if (roll == 0 && invoked < ops) { ids[slot] += processes; continue; } // never completes
                var type = roll switch { 1 => OpType.Info, 2 => OpType.Fail, _ => OpType.Ok };
                var value = inv.F == "read" && type == OpType.Ok ? (rng.Next(4) == 0 ? Datum.Nil : Datum.Of(rng.Next(3))) : inv.Value;
                events.Add(inv with { Type = type, Value = value, Index = events.Count });
                if (type == OpType.Info) ids[slot] += processes;
            }
            else if (invoked < ops)
            {
                invoked++;
                var op = rng.Next(3) switch
                {
                    0 => Operation.Invoke(ids[slot], "read", Datum.Nil),
                    1 => Operation.Invoke(ids[slot], "write", Datum.Of(rng.Next(3))),
                    _ => Operation.Invoke(ids[slot], "cas", Datum.Ints(rng.Next(3), rng.Next(3))),
                };
                events.Add(op with { Index = events.Count });
                pending[slot] = op;
            }
        }
        return new History(events);
    }
}
