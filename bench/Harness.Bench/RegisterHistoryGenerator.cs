using Harness.Core.Histories;

namespace Harness.Bench;

/// <summary>
/// Writes a linearizable keyed-register history: processes invoke read/write/cas on random keys; each op takes
/// effect on a real register map when it completes; a few ops crash (info, the process is replaced).
/// </summary>
internal static class RegisterHistoryGenerator
{
    public static long WriteFile(string path, int ops, int keys, int processes, int seed)
    {
        var rng = new Random(seed);
        var registers = new long?[keys];
        var pending = new Operation?[processes];
        var ids = Enumerable.Range(0, processes).ToArray();
        var events = 0L;
        var invoked = 0;
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        var batch = new List<Operation>(4096);
        void Emit(Operation op)
        {
            batch.Add(op with { Index = events, TimeNanos = events * 1000 });
            events++;
            if (batch.Count == 4096) { HistoryJson.WriteTo(stream, batch); batch.Clear(); }
        }
        static Datum Keyed(int k, Datum v) => Datum.Map([new(Datum.Of("key"), Datum.Of(k)), new(Datum.Of("value"), v)]);
        while (invoked < ops || pending.Any(p => p is not null))
        {
            var slot = rng.Next(processes);
            if (pending[slot] is { } inv)
            {
                pending[slot] = null;
                var k = (int)inv.Value!.Get("key")!.AsLong();
                var v = inv.Value.Get("value")!;
                if (rng.Next(100) == 0)
                {
                    // Crash: the op may or may not have happened; apply it half of the time.
                    if (inv.F == "write" && rng.Next(2) == 0) registers[k] = v.AsLong();
                    Emit(inv.Info("timeout"));
                    ids[slot] += processes;
                    continue;
                }
                switch (inv.F)
                {
                    case "read":
                        Emit(inv.Ok(Keyed(k, registers[k] is { } r ? Datum.Of(r) : Datum.Nil)));
                        break;
                    case "write":
                        registers[k] = v.AsLong();
                        Emit(inv.Ok());
                        break;
                    default:
                        if (registers[k] == v[0].AsLong()) { registers[k] = v[1].AsLong(); Emit(inv.Ok()); }
                        else Emit(inv.Fail("compare-failed"));
                        break;
                }
            }
            else if (invoked < ops)
            {
                invoked++;
                var k = rng.Next(keys);
                var op = rng.Next(3) switch
                {
                    0 => Operation.Invoke(ids[slot], "read", Keyed(k, Datum.Nil)),
                    1 => Operation.Invoke(ids[slot], "write", Keyed(k, Datum.Of(rng.Next(5)))),
                    _ => Operation.Invoke(ids[slot], "cas", Keyed(k, Datum.Ints(rng.Next(5), rng.Next(5)))),
                };
                pending[slot] = op;
                Emit(op);
            }
        }
        HistoryJson.WriteTo(stream, batch);
        return events;
    }
}
