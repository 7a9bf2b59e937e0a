using Harness.Core.Histories;

namespace Harness.Bench;

/// <summary>
/// A valid (strict serializable) list-append history, generated lazily: processes pick random transactions
/// (2..6 micro-ops, half appends with per-key unique values, half reads, uniform keys); each transaction takes
/// effect atomically at its completion, so it lies inside its own invoke/complete interval. With
/// <c>staleRate</c> &gt; 0, that fraction of reads misses its last element (an invalid history, for timing the
/// cycle search).
/// </summary>
internal sealed class ListAppendHistoryGenerator(int txns, int keys, int processes, int seed, double staleRate = 0)
{
    private static readonly Datum Append = Datum.Of("append");
    private static readonly Datum Read = Datum.Of("r");

    public IEnumerable<Operation> Operations()
    {
        var random = new Random(seed);
        var lists = new long[keys][];
        var counts = new int[keys];
        var next = new long[keys];
        for (var k = 0; k < keys; k++) lists[k] = new long[8];
        var open = new (bool Append, int Key, long Value)[processes][];
        var invoked = 0;
        var completed = 0;
        long time = 0, index = 0;
        while (completed < txns)
        {
            var p = random.Next(processes);
            if (open[p] is null)
            {
                if (invoked == txns) continue;
                var m = 2 + random.Next(5);
                var mops = new (bool, int, long)[m];
                var value = new Datum[m];
                for (var i = 0; i < m; i++)
                {
                    var k = random.Next(keys);
                    if (random.Next(2) == 0)
                    {
                        var v = ++next[k]; // unique per key
                        mops[i] = (true, k, v);
                        value[i] = Datum.Vec(Append, Datum.Of(k), Datum.Of(v));
                    }
                    else
                    {
                        mops[i] = (false, k, 0);
                        value[i] = Datum.Vec(Read, Datum.Of(k), Datum.Nil);
                    }
                }
                open[p] = mops;
                invoked++;
                yield return new Operation(OpType.Invoke, p, "txn", Datum.Vec(value)) { Index = index++, TimeNanos = time++ };
            }
            else
            {
                var mops = open[p];
                var value = new Datum[mops.Length];
                for (var i = 0; i < mops.Length; i++)
                {
                    var (append, k, v) = mops[i];
                    if (append)
                    {
                        if (counts[k] == lists[k].Length) Array.Resize(ref lists[k], counts[k] * 2);
                        lists[k][counts[k]++] = v;
                        value[i] = Datum.Vec(Append, Datum.Of(k), Datum.Of(v));
                    }
                    else
                    {
                        var n = counts[k] > 0 && staleRate > 0 && random.NextDouble() < staleRate ? counts[k] - 1 : counts[k];
                        value[i] = Datum.Vec(Read, Datum.Of(k), n == 0 ? Datum.Vec() : Datum.Ints(lists[k].AsSpan(0, n).ToArray()));
                    }
                }
                open[p] = null!;
                completed++;
                yield return new Operation(OpType.Ok, p, "txn", Datum.Vec(value)) { Index = index++, TimeNanos = time++ };
            }
        }
    }
}
