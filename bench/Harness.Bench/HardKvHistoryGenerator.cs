using Harness.Core.Histories;

namespace Harness.Bench;

/// <summary>
/// A non-linearizable kv history of several keys (Porcupine's kv model): most keys fail quickly (a get that
/// returns a value overwritten before it was invoked), and a few are pathological: <c>concurrent</c> appends
/// of distinct values all overlap, and a later get returns a string no order of them produces, so a full WGL
/// search must try every order of the appends (the memo cannot merge them: each order is a different string),
/// about e * n! configurations. The pathological keys come first and are the smallest, so neither file order
/// nor "smallest key first" alone would reach a quick failure.
/// </summary>
internal static class HardKvHistoryGenerator
{
    public static List<Operation> Build(int keys = 10, int pathological = 2, int concurrent = 14, int quickOps = 200, int seed = 7)
    {
        var rng = new Random(seed);
        var ops = new List<Operation>();
        void Emit(Operation op) => ops.Add(op with { Index = ops.Count, TimeNanos = ops.Count * 1000L });
        static Datum Keyed(string k, string? v) => Datum.Map([new(Datum.Of("key"), Datum.Of(k)), new(Datum.Of("value"), v is null ? Datum.Nil : Datum.Of(v))]);
        var process = 0;
        for (var k = 0; k < keys; k++)
        {
            var key = $"k{k}";
            if (k < pathological)
            {
                var invokes = new List<Operation>();
                for (var i = 0; i < concurrent; i++)
                {
                    var inv = Operation.Invoke(process + i, "append", Keyed(key, $"x {process + i} {k} y"));
                    invokes.Add(inv);
                    Emit(inv);
                }
                foreach (var inv in invokes) Emit(inv.Ok());
                var get = Operation.Invoke(process, "get", Keyed(key, null));
                Emit(get);
                Emit(get.Ok(Keyed(key, "never written")));
                process += concurrent;
                continue;
            }
            // A quick failure: sequential puts and gets by two processes, then a stale get.
            string current = "";
            for (var i = 0; i < quickOps / 2; i++)
            {
                var p = process + (i % 2);
                var inv = rng.Next(2) == 0 ? Operation.Invoke(p, "put", Keyed(key, $"v{i}")) : Operation.Invoke(p, "get", Keyed(key, null));
                Emit(inv);
                if (inv.F == "put") { current = $"v{i}"; Emit(inv.Ok()); }
                else Emit(inv.Ok(Keyed(key, current)));
            }
            var put = Operation.Invoke(process, "put", Keyed(key, "new"));
            Emit(put);
            Emit(put.Ok());
            var stale = Operation.Invoke(process + 1, "get", Keyed(key, null));
            Emit(stale);
            Emit(stale.Ok(Keyed(key, current)));
            process += 2;
        }
        return ops;
    }

    public static void WriteFile(string path, IReadOnlyList<Operation> ops)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        HistoryJson.WriteTo(stream, ops);
    }
}
