using Harness.Checkers.Graphs;

namespace Harness.Checkers.Cycles;

/// <summary>
/// The dependency graph over transactions. Nodes 0..n-1 are transactions; when real-time order is on,
/// nodes n..2n-1 form a time chain (node n+j stands for the j-th invocation): a transaction points to the
/// chain node of the first invocation after its completion, chain nodes point to the next chain node and to
/// their own transaction. Reachability through the chain is exactly the real-time order with O(n) edges.
/// Data edges live in compressed sparse rows; process edges are implicit (next transaction of the process).
/// </summary>
internal sealed class TxnGraph : IGraph
{
    private readonly TxnTable _txns;
    private readonly int[] _start;
    private readonly int[] _dst;
    private readonly byte[] _kind;
    private readonly int[] _key;
    private readonly int _n;

    public TxnGraph(TxnTable txns, EdgeBuffer edges, bool process, bool realtime)
    {
        _txns = txns;
        _n = txns.Count;
        (_start, _dst, _kind, _key) = edges.ToCsr(_n);
        UseProcess = process;
        UseRealtime = realtime;
        NodeCount = realtime ? 2 * _n : _n;
    }

    public TxnTable Txns => _txns;
    public int TxnCount => _n;
    public bool UseProcess { get; }
    public bool UseRealtime { get; }
    public int NodeCount { get; }
    public int DataEdgeCount => _dst.Length;

    public int Degree(int node)
    {
        if (node >= _n) return 2;
        return _start[node + 1] - _start[node] + (UseProcess ? 1 : 0) + (UseRealtime ? 1 : 0);
    }

    public int Target(int node, int i) => Target(node, i, out _, out _);

    /// <summary>The i-th out-edge of a node with its kind and key id (-1 for order edges).</summary>
    public int Target(int node, int i, out EdgeKinds kind, out int key)
    {
        key = -1;
        if (node >= _n)
        {
            kind = EdgeKinds.Realtime;
            var j = node - _n;
            if (i == 0) return _txns.Status[j] is TxnTable.Ok or TxnTable.Info ? j : -1;
            return j + 1 < _n ? node + 1 : -1;
        }
        var data = _start[node + 1] - _start[node];
        if (i < data)
        {
            var at = _start[node] + i;
            kind = (EdgeKinds)_kind[at];
            key = _key[at];
            return _dst[at];
        }
        i -= data;
        if (UseProcess)
        {
            if (i == 0)
            {
                kind = EdgeKinds.Process;
                return _txns.ProcNext[node];
            }
            i--;
        }
        kind = EdgeKinds.Realtime;
        var next = _txns.RtNext[node];
        return next >= 0 ? _n + next : -1;
    }

    /// <summary>Data edges of a transaction: (first, end) positions for <see cref="DataTarget"/>.</summary>
    public (int First, int End) DataRange(int txn) => (_start[txn], _start[txn + 1]);

    public int DataTarget(int at, out EdgeKinds kind, out int key)
    {
        kind = (EdgeKinds)_kind[at];
        key = _key[at];
        return _dst[at];
    }
}
