using Harness.Core.Histories;

namespace Harness.Checkers.Tests.Linearizability;

/// <summary>Builds small histories event by event: <c>new Ops().Invoke(0, "write", 1).Ok(0)...</c>.</summary>
internal sealed class Ops
{
    private readonly List<Operation> _ops = [];
    private readonly Dictionary<int, Operation> _open = [];

    public static Datum D(object? v) => v switch
    {
        null => Datum.Nil,
        Datum d => d,
        int i => Datum.Of(i),
        long l => Datum.Of(l),
        string s => Datum.Of(s),
        int[] a => Datum.Ints([.. a.Select(x => (long)x)]),
        _ => throw new ArgumentException($"unsupported value {v}"),
    };

    public static Datum Keyed(object key, object? value) => Datum.Map([new(Datum.Of("key"), D(key)), new(Datum.Of("value"), D(value))]);

    public Ops Invoke(int process, string f, object? value = null)
    {
        var op = Operation.Invoke(process, f, D(value)) with { Index = _ops.Count };
        _open[process] = op;
        _ops.Add(op);
        return this;
    }

    public Ops Ok(int process, object? value = null) => Complete(process, OpType.Ok, value);
    public Ops Fail(int process) => Complete(process, OpType.Fail, null);
    public Ops Info(int process) => Complete(process, OpType.Info, null);

    private Ops Complete(int process, OpType type, object? value)
    {
        var inv = _open[process];
        _open.Remove(process);
        _ops.Add(inv with { Type = type, Index = _ops.Count, Value = value is null ? inv.Value : D(value) });
        return this;
    }

    public History Build() => new(_ops);
}
