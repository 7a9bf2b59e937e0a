using System.Text.Json.Nodes;

namespace Harness.Checkers.Cycles;

internal sealed partial class ListAppendState
{
    /// <summary>
    /// Derives the version order of every key (its longest read; ok appends nobody read come after it, in an
    /// unknown order) and the ww, wr and rw edges; records duplicate elements, aborted (G1a), garbage and
    /// intermediate (G1b) reads, and lost updates.
    /// </summary>
    public EdgeBuffer InferEdges(CancellationToken ct)
    {
        var edges = new EdgeBuffer();
        var firstBad = new int[Orders.Count];
        for (var k = 0; k < Orders.Count; k++)
        {
            if ((k & 1023) == 0) ct.ThrowIfCancellationRequested();
            var order = Orders[k];
            firstBad[k] = int.MaxValue;
            order.Writers = new int[order.Count];
            order.Intermediate = new bool[order.Count];
            for (var p = 0; p < order.Count; p++)
            {
                var kv = new KeyValue(k, order.Elems[p]);
                ref var w = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(Writers, kv);
                if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref w))
                {
                    order.Writers[p] = -1;
                    firstBad[k] = Math.Min(firstBad[k], p);
                    BadElement(k, p, order);
                    continue;
                }
                if (w.Pos >= 0)
                {
                    Duplicate(k, order, w.Pos, p);
                    order.Writers[p] = -1;
                    continue;
                }
                w.Pos = p;
                order.Writers[p] = w.Txn;
                order.Intermediate[p] = !w.Last;
            }
            for (var p = 0; p + 1 < order.Count; p++)
                if (order.Writers[p] >= 0 && order.Writers[p + 1] >= 0)
                    edges.Add(order.Writers[p], order.Writers[p + 1], EdgeKinds.WW, k);
        }
        var status = Txns.Status;
        var duplicateKeys = new HashSet<int>();
        foreach (var (kv, w) in Writers)
        {
            if (w.Dup && duplicateKeys.Add(kv.Key))
                Findings.Add(new Finding(AnomalyTypes.DuplicateWrites,
                    $"value {kv.Value} was appended to key {Keys.Name(kv.Key)} by more than one transaction (first: op {Txns.OpIndex[w.Txn]}); values must be unique per key, so reads of it are ambiguous",
                    [Txns.OpIndex[w.Txn]],
                    new JsonObject { ["key"] = Texts.Json(Keys.Name(kv.Key)), ["value"] = kv.Value, ["op"] = Txns.OpIndex[w.Txn] }));
            if (w.Pos >= 0 || status[w.Txn] != TxnTable.Ok) continue;
            var order = Orders[kv.Key];
            (order.Unread ??= []).Add((w.Txn, kv.Value));
        }
        for (var k = 0; k < Orders.Count; k++)
        {
            var order = Orders[k];
            if (order.Unread is null || order.Count == 0) continue;
            var last = order.Writers[order.Count - 1];
            foreach (var (txn, _) in order.Unread) edges.Add(last, txn, EdgeKinds.WW, k);
        }
        var sameVersion = new Dictionary<(int Key, int Len), int>();
        var txnOf = ReadTxn;
        var keyOf = ReadKey;
        var lenOf = ReadLen;
        var then = ReadThenAppend;
        for (var r = 0; r < ReadCount; r++)
        {
            if ((r & 0xFFFF) == 0) ct.ThrowIfCancellationRequested();
            int t = txnOf[r], k = keyOf[r], len = lenOf[r];
            var order = Orders[k];
            if (len > firstBad[k]) BadRead(r, k, firstBad[k]);
            if (len > 0)
            {
                var w = order.Writers[len - 1];
                if (w >= 0 && w != t)
                {
                    edges.Add(w, t, EdgeKinds.WR, k);
                    if (order.Intermediate[len - 1]) IntermediateRead(r, k, len, w);
                }
            }
            if (len < order.Count)
            {
                edges.Add(t, order.Writers[len], EdgeKinds.RW, k);
            }
            else if (order.Unread is not null)
            {
                foreach (var (txn, _) in order.Unread) edges.Add(t, txn, EdgeKinds.RW, k);
            }
            if (then[r] && !sameVersion.TryAdd((k, len), t)) LostUpdate(sameVersion[(k, len)], t, k, len);
        }
        return edges;
    }

    private readonly HashSet<(int Key, int Pos)> _badReported = [];

    private void BadElement(int key, int pos, KeyOrder order) => _ = (key, pos, order);

    private void BadRead(int r, int key, int pos)
    {
        if (!_badReported.Add((key, pos))) return;
        var order = Orders[key];
        var value = order.Elems[pos];
        var t = ReadTxn[r];
        var op = Txns.OpIndex[t];
        if (FailedWriters.TryGetValue(new KeyValue(key, value), out var failed))
        {
            var failedOp = Txns.OpIndex[failed];
            Findings.Add(new Finding(AnomalyTypes.G1a,
                $"op {op} read key {Keys.Name(key)} with element {value}, which only op {failedOp} appended, and that transaction failed (aborted read)",
                [failedOp, op],
                new JsonObject { ["key"] = Texts.Json(Keys.Name(key)), ["element"] = value, ["writer_op"] = failedOp, ["reader_op"] = op }));
        }
        else
        {
            Findings.Add(new Finding(AnomalyTypes.GarbageRead,
                $"op {op} read key {Keys.Name(key)} with element {value}, which no transaction appended",
                [op],
                new JsonObject { ["key"] = Texts.Json(Keys.Name(key)), ["element"] = value, ["reader_op"] = op }));
        }
    }

    private void Duplicate(int key, KeyOrder order, int first, int second)
    {
        var value = order.Elems[second];
        Findings.Add(new Finding(AnomalyTypes.DuplicateElements,
            $"op {order.LongestOp} read key {Keys.Name(key)} with element {value} twice (positions {first} and {second}), but every element is appended once",
            [order.LongestOp],
            new JsonObject { ["key"] = Texts.Json(Keys.Name(key)), ["element"] = value, ["op"] = order.LongestOp, ["positions"] = new JsonArray(first, second) }));
    }

    private void IntermediateRead(int r, int key, int len, int writer)
    {
        var order = Orders[key];
        var value = order.Elems[len - 1];
        var op = Txns.OpIndex[ReadTxn[r]];
        var wop = Txns.OpIndex[writer];
        Findings.Add(new Finding(AnomalyTypes.G1b,
            $"op {op} read key {Keys.Name(key)} ending in {value}, an intermediate state of op {wop}, which appended more to key {Keys.Name(key)} after {value}",
            [wop, op],
            new JsonObject { ["key"] = Texts.Json(Keys.Name(key)), ["element"] = value, ["writer_op"] = wop, ["reader_op"] = op, ["length"] = len }));
    }

    private void LostUpdate(int first, int second, int key, int len)
    {
        long a = Txns.OpIndex[first], b = Txns.OpIndex[second];
        var order = Orders[key];
        var version = len == 0 ? "the empty list" : $"the version ending in {order.Elems[len - 1]} ({len} elements)";
        Findings.Add(new Finding(AnomalyTypes.LostUpdate,
            $"ops {a} and {b} both read {version} of key {Keys.Name(key)} and then both appended to it: one update should have seen the other",
            [a, b],
            new JsonObject { ["key"] = Texts.Json(Keys.Name(key)), ["length"] = len, ["ops"] = new JsonArray(a, b) }));
    }
}
