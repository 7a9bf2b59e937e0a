using System.Text.Json.Nodes;
using Harness.Core.Histories;

namespace Harness.Checkers.Cycles;

/// <summary>
/// An rw-register history (f "txn", value [["w",k,v],["r",k,v|null]]) in compact form, and the dependencies
/// Elle can infer without assuming anything about the database: written values are unique per key, so a read
/// names its writer (wr); a transaction that read v1 and then wrote v2 to a key orders v1 before v2, and nil
/// (the initial state) precedes every version (ww, and rw from the readers of v1 to the writer of v2).
/// </summary>
internal sealed class RwRegisterState
{
    public const long Nil = long.MinValue;

    /// <summary>Most rw edges from readers of the initial nil to the first versions of one key.</summary>
    public const int MaxNilEdgesPerKey = 200_000;

    private readonly Dictionary<int, Operation> _open = [];

    public TxnTable Txns { get; } = new();
    public KeyIds Keys { get; } = new();
    public Dictionary<KeyValue, (int Txn, bool Final)> Writers { get; } = [];
    public Dictionary<KeyValue, int> FailedWriters { get; } = [];
    /// <summary>Per transaction and key: its external read (if any) and its final write (Nil when none).</summary>
    public Dictionary<(int Txn, int Key), (bool HasRead, long Read, long Write)> Access { get; } = [];
    public List<ListAppendState.Finding> Findings { get; } = [];
    public bool NilEdgesTruncated { get; private set; }
    private readonly List<(int Txn, int Key, long Value)> _reads = [];
    private readonly HashSet<int> _duplicateKeysReported = [];

    public void Add(Operation op)
    {
        if (op.IsNemesis || op.F != "txn") return;
        if (op.IsInvoke)
        {
            _open[Txns.Invoke(op)] = op;
            return;
        }
        var t = Txns.Complete(op);
        if (t < 0) return;
        _open.Remove(t, out var invoke);
        Ingest(t, op, op.IsOk || invoke is null ? op.Value : invoke.Value, Txns.Status[t]);
    }

    public void Finish()
    {
        foreach (var t in Txns.CloseOpen().ToList())
            if (_open.Remove(t, out var invoke)) Ingest(t, invoke, invoke.Value, TxnTable.Info);
    }

    private void Ingest(int t, Operation op, Datum? value, byte status)
    {
        if (value is null || !value.IsSeq) return;
        var mops = new List<(bool Write, int Key, long Value)>();
        foreach (var m in value.Items)
        {
            if (!m.IsSeq || m.Count < 2 || !m[0].IsName)
                throw new HistoryFormatException("history", op.Index, $"op {op.Index}: micro-op {m} is not [\"w\", k, v] or [\"r\", k, v]");
            var f = m[0].AsName();
            var key = Keys.Id(m[1]);
            var d = m.Count > 2 ? m[2] : Datum.Nil;
            long v;
            if (d.IsNil) v = Nil;
            else if (!d.TryGetLong(out v))
                throw new HistoryFormatException("history", op.Index, $"op {op.Index}: {m} needs an integer or null value");
            if (f is "w" or "write") mops.Add((true, key, v));
            else if (f is "r" or "read") mops.Add((false, key, v));
            else throw new HistoryFormatException("history", op.Index, $"op {op.Index}: unknown micro-op '{f}' (expected w or r)");
        }
        for (var i = 0; i < mops.Count; i++)
        {
            var (write, key, v) = mops[i];
            if (!write) continue;
            if (v == Nil)
                throw new HistoryFormatException("history", op.Index, $"op {op.Index}: writing null to key {Keys.Name(key)}; rw-register writes need unique integers");
            var kv = new KeyValue(key, v);
            if (status == TxnTable.Failed)
            {
                FailedWriters.TryAdd(kv, t);
                continue;
            }
            var final = !mops.Skip(i + 1).Any(m => m.Write && m.Key == key);
            if (!Writers.TryAdd(kv, (t, final)) && Writers[kv].Txn != t && _duplicateKeysReported.Add(key))
                Findings.Add(new ListAppendState.Finding(AnomalyTypes.DuplicateWrites,
                    $"ops {Txns.OpIndex[Writers[kv].Txn]} and {op.Index} both wrote {v} to key {Keys.Name(key)}; values must be unique per key, so reads of it are ambiguous",
                    [Txns.OpIndex[Writers[kv].Txn], op.Index],
                    new JsonObject { ["key"] = Texts.Json(Keys.Name(key)), ["value"] = v }));
        }
        if (status != TxnTable.Ok && status != TxnTable.Info) return;
        var seen = new Dictionary<int, long>(); // key -> value the txn knows it holds
        var wrote = new HashSet<int>();
        foreach (var (write, key, v) in mops)
        {
            if (write)
            {
                seen[key] = v;
                wrote.Add(key);
                var a = Access.TryGetValue((t, key), out var prior) ? prior : (HasRead: false, Read: Nil, Write: Nil);
                Access[(t, key)] = (a.HasRead, a.Read, v);
                continue;
            }
            if (status != TxnTable.Ok) continue; // reads of info transactions are unknown
            if (seen.TryGetValue(key, out var expected))
            {
                if (expected != v)
                    Findings.Add(new ListAppendState.Finding(AnomalyTypes.Internal,
                        $"op {op.Index} read key {Keys.Name(key)} = {Show(v)}, but {(wrote.Contains(key) ? "it had written" : "it had just read")} {Show(expected)}",
                        [op.Index],
                        new JsonObject { ["op"] = op.Index, ["key"] = Texts.Json(Keys.Name(key)), ["expected"] = Json(expected), ["observed"] = Json(v) }));
                continue;
            }
            seen[key] = v;
            _reads.Add((t, key, v));
            Access[(t, key)] = (true, v, Nil);
        }
    }

    public static string Show(long v) => v == Nil ? "nil" : v.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static JsonNode? Json(long v) => v == Nil ? null : JsonValue.Create(v);

    /// <summary>wr edges from each read's writer; ww and rw edges from the inferred version orders; G1a, G1b, garbage reads, lost updates.</summary>
    public EdgeBuffer InferEdges(CancellationToken ct)
    {
        var edges = new EdgeBuffer();
        var readers = new Dictionary<KeyValue, List<int>>();
        foreach (var (t, k, v) in _reads)
        {
            var kv = new KeyValue(k, v);
            if (!readers.TryGetValue(kv, out var list)) readers[kv] = list = [];
            list.Add(t);
            if (v == Nil) continue;
            if (Writers.TryGetValue(kv, out var w))
            {
                edges.Add(w.Txn, t, EdgeKinds.WR, k);
                if (!w.Final && w.Txn != t)
                    Findings.Add(new ListAppendState.Finding(AnomalyTypes.G1b,
                        $"op {Txns.OpIndex[t]} read key {Keys.Name(k)} = {v}, an intermediate value of op {Txns.OpIndex[w.Txn]}, which wrote key {Keys.Name(k)} again later",
                        [Txns.OpIndex[w.Txn], Txns.OpIndex[t]],
                        new JsonObject { ["key"] = Texts.Json(Keys.Name(k)), ["value"] = v, ["writer_op"] = Txns.OpIndex[w.Txn], ["reader_op"] = Txns.OpIndex[t] }));
            }
            else if (FailedWriters.TryGetValue(kv, out var failed))
            {
                Findings.Add(new ListAppendState.Finding(AnomalyTypes.G1a,
                    $"op {Txns.OpIndex[t]} read key {Keys.Name(k)} = {v}, which only op {Txns.OpIndex[failed]} wrote, and that transaction failed (aborted read)",
                    [Txns.OpIndex[failed], Txns.OpIndex[t]],
                    new JsonObject { ["key"] = Texts.Json(Keys.Name(k)), ["value"] = v, ["writer_op"] = Txns.OpIndex[failed], ["reader_op"] = Txns.OpIndex[t] }));
            }
            else
            {
                Findings.Add(new ListAppendState.Finding(AnomalyTypes.GarbageRead,
                    $"op {Txns.OpIndex[t]} read key {Keys.Name(k)} = {v}, which no transaction wrote",
                    [Txns.OpIndex[t]],
                    new JsonObject { ["key"] = Texts.Json(Keys.Name(k)), ["value"] = v, ["reader_op"] = Txns.OpIndex[t] }));
            }
        }
        // Version order edges v1 -> v2 from read-then-write transactions; lost updates where two share a v1.
        var hasPredecessor = new HashSet<KeyValue>();
        var firstUpdater = new Dictionary<KeyValue, int>();
        var status = Txns.Status;
        foreach (var ((t, k), (hasRead, read, write)) in Access)
        {
            ct.ThrowIfCancellationRequested();
            if (write == Nil || !hasRead || status[t] != TxnTable.Ok) continue;
            var from = new KeyValue(k, read);
            hasPredecessor.Add(new KeyValue(k, write));
            if (read != Nil && Writers.TryGetValue(from, out var w)) edges.Add(w.Txn, t, EdgeKinds.WW, k);
            if (readers.TryGetValue(from, out var rs))
                foreach (var r in rs) edges.Add(r, t, EdgeKinds.RW, k);
            if (!firstUpdater.TryAdd(from, t))
            {
                long a = Txns.OpIndex[firstUpdater[from]], b = Txns.OpIndex[t];
                Findings.Add(new ListAppendState.Finding(AnomalyTypes.LostUpdate,
                    $"ops {a} and {b} both read key {Keys.Name(k)} = {Show(read)} and then both wrote it: one update should have seen the other",
                    [a, b],
                    new JsonObject { ["key"] = Texts.Json(Keys.Name(k)), ["value"] = Json(read), ["ops"] = new JsonArray(a, b) }));
            }
        }
        // nil precedes every version: readers of nil rw-precede the writers of first versions (no known predecessor).
        var nilEdges = new Dictionary<int, int>();
        foreach (var (kv, w) in Writers)
        {
            if (!w.Final || hasPredecessor.Contains(kv) || status[w.Txn] != TxnTable.Ok) continue;
            if (!readers.TryGetValue(new KeyValue(kv.Key, Nil), out var rs)) continue;
            foreach (var r in rs)
            {
                if (nilEdges.GetValueOrDefault(kv.Key) >= MaxNilEdgesPerKey) { NilEdgesTruncated = true; break; }
                nilEdges[kv.Key] = nilEdges.GetValueOrDefault(kv.Key) + 1;
                edges.Add(r, w.Txn, EdgeKinds.RW, kv.Key);
            }
        }
        return edges;
    }
}
