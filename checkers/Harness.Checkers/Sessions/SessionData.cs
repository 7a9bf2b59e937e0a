using Harness.Checkers.Cycles;
using Harness.Core.Histories;

namespace Harness.Checkers.Sessions;

/// <summary>
/// A list-append history seen per session: ok transactions with their external reads (key, length) and
/// appends, the version order of each key (its longest read), and where each appended value sits in it.
/// </summary>
internal sealed class SessionData
{
    internal sealed record Txn(long Op, long Session, int Ordinal, List<(int Key, int Len)> Reads, List<(int Key, long Value)> Appends);

    internal sealed class KeyOrder
    {
        public List<long> Elems { get; } = [];
        public long LongestOp { get; set; } = -1;
        public List<(int Len, long Op)> Reads { get; } = [];

        /// <summary>The ok transaction that appended each element (null when unknown).</summary>
        public Txn?[] WriterAt { get; set; } = [];
    }

    internal sealed record Incompatible(long Op, long Session, int Key, long[] Read, long OtherOp, int At);

    public KeyIds Keys { get; } = new();
    public List<KeyOrder> Orders { get; } = [];
    public List<Txn> Txns { get; } = [];
    public Dictionary<long, List<Txn>> BySession { get; } = [];
    public List<Incompatible> Incompatibles { get; } = [];

    /// <summary>(key, value) to its position in the key's version order; absent when no read saw it.</summary>
    public Dictionary<KeyValue, int> Pos { get; } = [];

    /// <summary>(key, value) to the ok transaction that appended it.</summary>
    public Dictionary<KeyValue, Txn> WriterOf { get; } = [];

    public static SessionData Build(History history, Func<Operation, long> sessionOf, CancellationToken ct)
    {
        var d = new SessionData();
        foreach (var (invoke, completion) in history.ClientPairs())
        {
            ct.ThrowIfCancellationRequested();
            if (invoke.F != "txn" || completion is not { IsOk: true } || completion.Value is not { IsSeq: true } value) continue;
            var session = sessionOf(invoke);
            if (!d.BySession.TryGetValue(session, out var list)) d.BySession[session] = list = [];
            var txn = new Txn(completion.Index, session, list.Count, [], []);
            var touched = new HashSet<int>();
            foreach (var m in value.Items)
            {
                if (!m.IsSeq || m.Count < 2 || !m[0].IsName)
                    throw new HistoryFormatException("history", completion.Index, $"op {completion.Index}: micro-op {m} is not [\"append\", k, v] or [\"r\", k, list]");
                var key = d.Keys.Id(m[1]);
                if (key == d.Orders.Count) d.Orders.Add(new KeyOrder());
                var f = m[0].AsName();
                if (f == "append")
                {
                    if (m.Count < 3 || !m[2].TryGetLong(out var v))
                        throw new HistoryFormatException("history", completion.Index, $"op {completion.Index}: append {m} needs an integer value");
                    txn.Appends.Add((key, v));
                    d.WriterOf.TryAdd(new KeyValue(key, v), txn);
                    touched.Add(key);
                }
                else if (f is "r" or "read")
                {
                    var r = m.Count > 2 ? m[2] : Datum.Nil;
                    ReadOnlySpan<long> elems = [];
                    if (!r.IsNil && !r.TryGetLongs(out elems))
                        throw new HistoryFormatException("history", completion.Index, $"op {completion.Index}: read {m} must return a list of integers");
                    var compatible = d.Observe(txn, key, elems);
                    if (touched.Add(key) && compatible)
                    {
                        txn.Reads.Add((key, elems.Length));
                        d.Orders[key].Reads.Add((elems.Length, txn.Op));
                    }
                }
                else
                {
                    throw new HistoryFormatException("history", completion.Index, $"op {completion.Index}: unknown micro-op '{f}' (expected append or r)");
                }
            }
            list.Add(txn);
            d.Txns.Add(txn);
        }
        for (var k = 0; k < d.Orders.Count; k++)
        {
            var elems = d.Orders[k].Elems;
            var writers = new Txn?[elems.Count];
            for (var p = 0; p < elems.Count; p++)
            {
                d.Pos.TryAdd(new KeyValue(k, elems[p]), p);
                writers[p] = d.WriterOf.GetValueOrDefault(new KeyValue(k, elems[p]));
            }
            d.Orders[k].WriterAt = writers;
        }
        return d;
    }

    private bool Observe(Txn txn, int key, ReadOnlySpan<long> elems)
    {
        var order = Orders[key];
        var common = Math.Min(order.Elems.Count, elems.Length);
        for (var i = 0; i < common; i++)
        {
            if (order.Elems[i] == elems[i]) continue;
            Incompatibles.Add(new Incompatible(txn.Op, txn.Session, key, elems.ToArray(), order.LongestOp, i));
            return false;
        }
        if (elems.Length > order.Elems.Count)
        {
            for (var i = order.Elems.Count; i < elems.Length; i++) order.Elems.Add(elems[i]);
            order.LongestOp = txn.Op;
        }
        return true;
    }

    /// <summary>The version (list length) that includes this append, or null when no read ever saw it.</summary>
    public int? VersionOf(int key, long value) => Pos.TryGetValue(new KeyValue(key, value), out var p) ? p + 1 : null;
}
