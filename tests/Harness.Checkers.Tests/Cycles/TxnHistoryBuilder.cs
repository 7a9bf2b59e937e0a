using System.Globalization;
using Harness.Core.Histories;

namespace Harness.Checkers.Tests.Cycles;

/// <summary>
/// Builds small transactional histories from text: "append 1 2; r 1 [1 2]; w 3 4; r 3 nil".
/// Invocations carry nil read results, completions the given ones. Time advances by 1 per event.
/// </summary>
internal sealed class TxnHistoryBuilder
{
    private readonly List<Operation> _ops = [];
    private readonly Dictionary<int, (int Process, string F, Datum Invoke, Datum Complete)> _open = [];
    private long _time;

    /// <summary>Invoke and complete ok at once.</summary>
    public TxnHistoryBuilder Ok(int process, string txn) => Done(Invoke(process, txn), OpType.Ok);

    public TxnHistoryBuilder Fail(int process, string txn) => Done(Invoke(process, txn), OpType.Fail);

    public TxnHistoryBuilder Info(int process, string txn) => Done(Invoke(process, txn), OpType.Info);

    /// <summary>Starts a transaction; complete it later with <see cref="Complete"/>.</summary>
    public int Invoke(int process, string txn, string f = "txn")
    {
        var (inv, done) = (Parse(txn, invoke: true), Parse(txn, invoke: false));
        _ops.Add(new Operation(OpType.Invoke, process, f, inv) { TimeNanos = _time++ });
        _open[process] = (process, f, inv, done);
        return process;
    }

    public TxnHistoryBuilder Complete(int process, OpType type = OpType.Ok) => Done(process, type);

    /// <summary>Any operation (for non-transactional workloads).</summary>
    public TxnHistoryBuilder Op(OpType type, int process, string f, Datum? value)
    {
        _ops.Add(new Operation(type, process, f, value) { TimeNanos = _time++ });
        return this;
    }

    private TxnHistoryBuilder Done(int process, OpType type)
    {
        _open.Remove(process, out var o);
        _ops.Add(new Operation(type, process, o.F, type == OpType.Ok ? o.Complete : o.Invoke) { TimeNanos = _time++ });
        return this;
    }

    public History Build() => new(_ops);

    public static Datum Parse(string txn, bool invoke)
    {
        var mops = new List<Datum>();
        foreach (var part in txn.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var f = part.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
            var key = Datum.Of(long.Parse(f[1], CultureInfo.InvariantCulture));
            var read = f[0] is "r";
            Datum value = invoke && read ? Datum.Nil : Value(f.Length > 2 ? f[2] : "nil");
            mops.Add(Datum.Vec(Datum.Of(f[0]), key, value));
        }
        return Datum.Vec(mops);
    }

    private static Datum Value(string s)
    {
        s = s.Trim();
        if (s == "nil") return Datum.Nil;
        if (s.StartsWith('['))
            return Datum.Vec(s.Trim('[', ']').Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(x => Datum.Of(long.Parse(x, CultureInfo.InvariantCulture))));
        return Datum.Of(long.Parse(s, CultureInfo.InvariantCulture));
    }
}
