using Harness.Core.Histories;

namespace Harness.Checkers.Cycles;

/// <summary>
/// A list-append history in compact form, built in one streaming pass. Reads are verified against the
/// per-key longest read as they arrive (every read must be a prefix of it) and then kept only as
/// (transaction, key, length): the element at position length-1 identifies the version read. Appends live in
/// one hash map from (key, value) to the writing transaction.
/// </summary>
internal sealed partial class ListAppendState
{
    internal struct Writer
    {
        public int Txn;
        public int Pos;   // position in the key's version order, -1 when no read saw it
        public bool Last; // the writer's last append to this key
        public bool Dup;  // another append wrote the same (key, value)
    }

    internal sealed class KeyOrder
    {
        public long[] Elems = new long[4];
        public int Count;
        public int[] Writers = [];
        public bool[] Intermediate = []; // the element is not its writer's last append to the key
        public List<(int Txn, long Value)>? Unread;
        public long LongestOp = -1;
    }

    public TxnTable Txns { get; } = new();
    public KeyIds Keys { get; } = new();
    public List<KeyOrder> Orders { get; } = [];
    public Dictionary<KeyValue, Writer> Writers { get; } = [];
    public Dictionary<KeyValue, int> FailedWriters { get; } = [];

    // External reads: the first read of a key in a transaction that had not appended to it before.
    private int[] _readTxn = new int[1024];
    private int[] _readKey = new int[1024];
    private int[] _readLen = new int[1024];
    private bool[] _readThenAppend = new bool[1024];
    public int ReadCount { get; private set; }
    public ReadOnlySpan<int> ReadTxn => _readTxn.AsSpan(0, ReadCount);
    public ReadOnlySpan<int> ReadKey => _readKey.AsSpan(0, ReadCount);
    public ReadOnlySpan<int> ReadLen => _readLen.AsSpan(0, ReadCount);
    public ReadOnlySpan<bool> ReadThenAppend => _readThenAppend.AsSpan(0, ReadCount);

    public List<Finding> Findings { get; } = [];
    public long MicroOps { get; private set; }

    /// <summary>A problem found while ingesting (internal inconsistency, incompatible order, ...).</summary>
    internal sealed record Finding(string Type, string Text, long[] Ops, System.Text.Json.Nodes.JsonObject Data);

    // Scratch buffers for one transaction.
    private readonly List<(bool Append, int Key, long Value, Datum? Read)> _mops = [];

    public void Add(Operation op)
    {
        if (op.IsNemesis || op.F != "txn") return;
        if (op.IsInvoke)
        {
            // Appends are known at invocation: register them now, so no operation is held until completion.
            var id = Txns.Invoke(op);
            Parse(op, op.Value);
            RegisterAppends(id);
            return;
        }
        var t = Txns.Complete(op);
        if (t < 0) return;
        var status = Txns.Status[t];
        if (status == TxnTable.Failed)
        {
            AbortAppends(t);
            return;
        }
        _openAppends.Remove(t);
        if (status != TxnTable.Ok) return; // info: appends may have happened, reads are unknown
        Parse(op, op.Value);
        RegisterAppends(t); // in case the invocation did not carry them
        MicroOps += _mops.Count;
        Reads(t, op);
    }

    /// <summary>Ends the stream: invocations that never completed count as info (their appends may have happened).</summary>
    public void Finish()
    {
        foreach (var _ in Txns.CloseOpen()) { }
        _openAppends.Clear();
    }

    private readonly Dictionary<int, KeyValue[]> _openAppends = [];

    private void Parse(Operation op, Datum? value)
    {
        _mops.Clear();
        if (value is null || !value.IsSeq) return;
        for (var i = 0; i < value.Count; i++)
        {
            var m = value[i];
            if (!m.IsSeq || m.Count < 2 || !m[0].IsName)
                throw new HistoryFormatException("history", op.Index, $"op {op.Index}: micro-op {m} is not [\"append\", k, v] or [\"r\", k, list]");
            var f = m[0].AsName();
            var key = Keys.Id(m[1]);
            if (key == Orders.Count) Orders.Add(new KeyOrder());
            if (f == "append")
            {
                if (m.Count < 3 || !m[2].TryGetLong(out var v))
                    throw new HistoryFormatException("history", op.Index, $"op {op.Index}: append {m} needs an integer value");
                _mops.Add((true, key, v, null));
            }
            else if (f is "r" or "read")
            {
                _mops.Add((false, key, 0, m.Count > 2 ? m[2] : Datum.Nil));
            }
            else
            {
                throw new HistoryFormatException("history", op.Index, $"op {op.Index}: unknown micro-op '{f}' (expected append or r)");
            }
        }
    }

    private void RegisterAppends(int t)
    {
        var count = 0;
        foreach (var m in _mops) if (m.Append) count++;
        if (count == 0) return;
        var mine = Txns.Status[t] == TxnTable.Open ? new KeyValue[count] : null;
        var n = 0;
        for (var i = 0; i < _mops.Count; i++)
        {
            var (append, key, v, _) = _mops[i];
            if (!append) continue;
            var kv = new KeyValue(key, v);
            if (mine is not null) mine[n++] = kv;
            var last = true;
            for (var j = i + 1; j < _mops.Count; j++)
                if (_mops[j].Append && _mops[j].Key == key) { last = false; break; }
            ref var w = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(Writers, kv, out var exists);
            if (exists)
            {
                if (w.Txn != t) w.Dup = true;
                continue;
            }
            w.Txn = t;
            w.Pos = -1;
            w.Last = last;
        }
        if (mine is not null) _openAppends[t] = mine;
    }

    /// <summary>A failed transaction's appends never happened: they move to <see cref="FailedWriters"/>.</summary>
    private void AbortAppends(int t)
    {
        if (!_openAppends.Remove(t, out var appends)) return;
        foreach (var kv in appends)
        {
            if (Writers.TryGetValue(kv, out var w) && w.Txn == t && !w.Dup) Writers.Remove(kv);
            FailedWriters.TryAdd(kv, t);
        }
    }

    private void Reads(int t, Operation op)
    {
        for (var i = 0; i < _mops.Count; i++)
        {
            var (append, key, _, read) = _mops[i];
            if (append) continue;
            ReadOnlySpan<long> elems;
            if (read!.IsNil) elems = [];
            else if (!read.TryGetLongs(out elems))
                throw new HistoryFormatException("history", op.Index, $"op {op.Index}: read of key {Keys.Name(key)} returned {read}, not a list of integers");
            var external = true;
            var priorRead = -1;
            for (var j = 0; j < i; j++)
            {
                if (_mops[j].Key != key) continue;
                external = false;
                if (!_mops[j].Append) priorRead = j;
            }
            if (!external) CheckInternal(op, i, key, elems, priorRead);
            var compatible = Observe(t, op, key, elems);
            if (external && compatible) AddRead(t, key, elems.Length, AppendsLater(i, key));
        }
    }

    private bool AppendsLater(int i, int key)
    {
        for (var j = i + 1; j < _mops.Count; j++)
            if (_mops[j].Append && _mops[j].Key == key) return true;
        return false;
    }

    private void AddRead(int t, int key, int length, bool thenAppend)
    {
        if (ReadCount == _readTxn.Length)
        {
            var size = ReadCount * 2;
            Array.Resize(ref _readTxn, size);
            Array.Resize(ref _readKey, size);
            Array.Resize(ref _readLen, size);
            Array.Resize(ref _readThenAppend, size);
        }
        _readTxn[ReadCount] = t;
        _readKey[ReadCount] = key;
        _readLen[ReadCount] = length;
        _readThenAppend[ReadCount] = thenAppend;
        ReadCount++;
    }

    /// <summary>Checks a read against the key's longest read so far, extending it; false when incompatible.</summary>
    private bool Observe(int t, Operation op, int key, ReadOnlySpan<long> elems)
    {
        var order = Orders[key];
        var common = Math.Min(order.Count, elems.Length);
        var mismatch = elems[..common].CommonPrefixLength(order.Elems.AsSpan(0, common));
        if (mismatch < common)
        {
            IncompatibleOrder(t, op, key, elems, order, mismatch);
            return false;
        }
        if (elems.Length > order.Count)
        {
            if (order.Elems.Length < elems.Length) Array.Resize(ref order.Elems, Math.Max(elems.Length, order.Elems.Length * 2));
            elems[order.Count..].CopyTo(order.Elems.AsSpan(order.Count));
            order.Count = elems.Length;
            order.LongestOp = op.Index;
        }
        return true;
    }
}
