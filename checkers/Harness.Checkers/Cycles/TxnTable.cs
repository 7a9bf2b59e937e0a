using Harness.Core.Histories;

namespace Harness.Checkers.Cycles;

/// <summary>
/// Transactions of a history in compact arrays, filled by streaming over the operations once in history
/// (real-time) order. A transaction's id is its invocation's rank among client invocations, so the
/// real-time order needs no edge list: <see cref="RtNext"/> names the first invocation after a completion.
/// </summary>
internal sealed class TxnTable
{
    public const byte Open = 0, Ok = 1, Info = 2, Failed = 3;

    private long[] _invokeIndex = new long[256];
    private long[] _opIndex = new long[256];
    private long[] _completeTime = new long[256];
    private int[] _process = new int[256];
    private int[] _rtNext = new int[256];
    private int[] _procNext = new int[256];
    private byte[] _status = new byte[256];
    private readonly Dictionary<int, int> _openByProcess = [];
    private int[] _openSmall = new int[64]; // open txn + 1 per small process id, 0 when none
    private readonly Dictionary<int, int> _lastByProcess = [];
    private readonly List<int> _completedSinceInvoke = [];

    public int Count { get; private set; }
    public ReadOnlySpan<long> OpIndex => _opIndex.AsSpan(0, Count);
    public ReadOnlySpan<long> InvokeIndex => _invokeIndex.AsSpan(0, Count);
    public ReadOnlySpan<int> Process => _process.AsSpan(0, Count);
    public ReadOnlySpan<int> RtNext => _rtNext.AsSpan(0, Count);
    public ReadOnlySpan<int> ProcNext => _procNext.AsSpan(0, Count);
    public ReadOnlySpan<byte> Status => _status.AsSpan(0, Count);
    public ReadOnlySpan<long> CompleteTime => _completeTime.AsSpan(0, Count);

    /// <summary>Registers a client invocation; returns its transaction id.</summary>
    public int Invoke(Operation op)
    {
        if (Count == _opIndex.Length) Grow();
        var t = Count++;
        _invokeIndex[t] = op.Index;
        _opIndex[t] = op.Index;
        _completeTime[t] = -1;
        _process[t] = op.Process;
        _rtNext[t] = -1;
        _procNext[t] = -1;
        _status[t] = Open;
        foreach (var done in _completedSinceInvoke) _rtNext[done] = t;
        _completedSinceInvoke.Clear();
        if (op.Process is >= 0 and < 1 << 16)
        {
            if (op.Process >= _openSmall.Length) Array.Resize(ref _openSmall, Math.Max(op.Process + 1, _openSmall.Length * 2));
            _openSmall[op.Process] = t + 1;
        }
        else
        {
            _openByProcess[op.Process] = t;
        }
        return t;
    }

    /// <summary>Pairs a client completion with its process's open invocation; returns the id, or -1 when unpaired.</summary>
    public int Complete(Operation op)
    {
        int t;
        if (op.Process is >= 0 and < 1 << 16)
        {
            if (op.Process >= _openSmall.Length || _openSmall[op.Process] == 0) return -1;
            t = _openSmall[op.Process] - 1;
            _openSmall[op.Process] = 0;
        }
        else if (!_openByProcess.Remove(op.Process, out t))
        {
            return -1;
        }
        _opIndex[t] = op.Index;
        _completeTime[t] = op.TimeNanos;
        if (op.IsOk)
        {
            _status[t] = Ok;
            _completedSinceInvoke.Add(t); // only completed txns precede later invocations
        }
        else
        {
            _status[t] = op.IsFail ? Failed : Info;
        }
        if (!op.IsFail)
        {
            if (_lastByProcess.TryGetValue(op.Process, out var prev)) _procNext[prev] = t;
            _lastByProcess[op.Process] = t;
        }
        return t;
    }

    /// <summary>Invocations that never completed become Info (outcome unknown).</summary>
    public IEnumerable<int> CloseOpen()
    {
        foreach (var t in _openByProcess.Values)
        {
            _status[t] = Info;
            yield return t;
        }
        _openByProcess.Clear();
        for (var p = 0; p < _openSmall.Length; p++)
        {
            if (_openSmall[p] == 0) continue;
            var t = _openSmall[p] - 1;
            _openSmall[p] = 0;
            _status[t] = Info;
            yield return t;
        }
    }

    private void Grow()
    {
        var size = _opIndex.Length * 2;
        Array.Resize(ref _invokeIndex, size);
        Array.Resize(ref _opIndex, size);
        Array.Resize(ref _completeTime, size);
        Array.Resize(ref _process, size);
        Array.Resize(ref _rtNext, size);
        Array.Resize(ref _procNext, size);
        Array.Resize(ref _status, size);
    }
}
