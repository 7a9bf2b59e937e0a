using Harness.Core.Histories;
using Harness.Workloads;

namespace Harness.Databases.Memory;

/// <summary>
/// The data of the in-memory database: one lock, so every op is atomic and linearizable unless a planted bug
/// (<see cref="MemoryBugs"/>) says otherwise.
/// </summary>
internal sealed class MemoryStore(string workload, IReadOnlySet<string> bugs, long seed)
{
    private readonly Lock _lock = new();
    private readonly Random _random = new(unchecked((int)(seed * 17 + 3)));
    private readonly Dictionary<long, long?> _registers = [];
    private readonly Dictionary<long, long?> _previous = [];
    private readonly HashSet<long> _set = [];
    private readonly Dictionary<long, List<long>> _lists = [];
    private readonly long[] _balances = Enumerable.Repeat(BankWorkload.InitialBalance, BankWorkload.Accounts).ToArray();

    private bool Strikes(string bug) => bugs.Contains(bug) && _random.NextDouble() < MemoryBugs.Probability;

    public Operation Apply(Operation op)
    {
        lock (_lock)
        {
            return (workload, op.F) switch
            {
                (RegisterWorkload.Name, _) when op.Value?.Get("key") is { } key => Register(op, key.AsLong()),
                (SetWorkload.Name, SetWorkload.Add) when op.Value is { IsInt: true } v => AddToSet(op, v.AsLong()),
                (SetWorkload.Name, SetWorkload.Read) => op.Ok(Datum.Ints([.. _set.Order()])),
                (ListAppendWorkload.Name or SessionWorkload.Name, ListAppendWorkload.Txn) when op.Value is { IsSeq: true } txn => Transaction(op, txn),
                (BankWorkload.Name, BankWorkload.Transfer) when op.Value is { } t => Transfer(op, t),
                (BankWorkload.Name, BankWorkload.Read) => op.Ok(Values.Map([.. _balances.Select((b, i) =>
                    (i.ToString(System.Globalization.CultureInfo.InvariantCulture), Datum.Of(b)))])),
                _ => op.Fail($"memory: unsupported op {op.F} {op.Value}"),
            };
        }
    }

    private Operation Register(Operation op, long key)
    {
        var current = _registers.GetValueOrDefault(key);
        switch (op.F)
        {
            case RegisterWorkload.Read:
                var seen = Strikes(MemoryBugs.StaleRead) && _previous.TryGetValue(key, out var old) ? old : current;
                return op.Ok(Values.KeyValue(key, seen is { } s ? Datum.Of(s) : Datum.Nil));
            case RegisterWorkload.Write:
                _previous[key] = current;
                _registers[key] = op.Value!.Get("value")!.AsLong(); // the generator always writes a value
                return op.Ok();
            default:
                var pair = op.Value!.Get("value")!; // cas value is [old, new]
                if (current != pair[0].AsLong()) return op.Fail("cas-mismatch");
                _previous[key] = current;
                _registers[key] = pair[1].AsLong();
                return op.Ok();
        }
    }

    private Operation AddToSet(Operation op, long value)
    {
        if (!Strikes(MemoryBugs.LostWrite)) _set.Add(value);
        return op.Ok();
    }

    private Operation Transaction(Operation op, Datum txn)
    {
        var result = new Datum[txn.Count];
        for (var i = 0; i < txn.Count; i++)
        {
            var micro = txn[i];
            var f = micro[0].AsName();
            var key = micro[1].AsLong();
            if (!_lists.TryGetValue(key, out var list)) _lists[key] = list = [];
            if (f == ListAppendWorkload.Append)
            {
                list.Add(micro[2].AsLong());
                result[i] = micro;
            }
            else
            {
                var visible = Strikes(MemoryBugs.StaleRead) && list.Count > 0 ? list.Count - 1 : list.Count;
                result[i] = Values.MicroOp(ListAppendWorkload.Read, key, Datum.Ints([.. list.Take(visible)]));
            }
        }
        return op.Ok(Datum.Vec(result));
    }

    private Operation Transfer(Operation op, Datum t)
    {
        var from = (int)t.Get("from")!.AsLong();
        var to = (int)t.Get("to")!.AsLong();
        var amount = t.Get("amount")!.AsLong();
        if (from is < 0 or >= BankWorkload.Accounts || to is < 0 or >= BankWorkload.Accounts)
            return op.Fail("no-such-account");
        if (_balances[from] < amount) return op.Fail("insufficient-funds");
        _balances[from] -= amount;
        if (!Strikes(MemoryBugs.BadTransfer)) _balances[to] += amount;
        return op.Ok();
    }
}
