using System.Collections.Immutable;
using Harness.Core.Histories;
using Harness.Core.Nemeses;

namespace Harness.Core.Running;

/// <summary>Live counters of a running test, for progress displays. Thread-safe; read at any time.</summary>
public sealed class RunStats
{
    private long _invoked;
    private long _ok;
    private long _fail;
    private long _info;
    private long _nemesisOps;
    private long _faultsInjected;
    private volatile string _phase = "starting";
    private ImmutableDictionary<string, string> _faults = ImmutableDictionary<string, string>.Empty;

    public long Invoked => Interlocked.Read(ref _invoked);
    public long Ok => Interlocked.Read(ref _ok);
    public long Fail => Interlocked.Read(ref _fail);
    public long Info => Interlocked.Read(ref _info);
    public long NemesisOps => Interlocked.Read(ref _nemesisOps);

    /// <summary>Faults injected so far (each start-partition, kill, pause, start-loss that took effect).</summary>
    public long FaultsInjected => Interlocked.Read(ref _faultsInjected);

    /// <summary>Client operations completed so far.</summary>
    public long Completed => Ok + Fail + Info;

    /// <summary>setup, main, heal, recovery, final, teardown, checking, done.</summary>
    public string Phase
    {
        get => _phase;
        set => _phase = value;
    }

    /// <summary>Faults active now, by kind (partition, kill, pause, loss), with what was hit.</summary>
    public ImmutableDictionary<string, string> ActiveFaults => Volatile.Read(ref _faults);

    internal void Invoke(Operation op)
    {
        if (op.IsClient) Interlocked.Increment(ref _invoked);
        else Interlocked.Increment(ref _nemesisOps);
    }

    internal void Complete(Operation op)
    {
        if (op.IsNemesis)
        {
            TrackFault(op);
            return;
        }
        switch (op.Type)
        {
            case OpType.Ok: Interlocked.Increment(ref _ok); break;
            case OpType.Fail: Interlocked.Increment(ref _fail); break;
            default: Interlocked.Increment(ref _info); break;
        }
    }

    internal void ClearFaults() => Volatile.Write(ref _faults, ImmutableDictionary<string, string>.Empty);

    private void TrackFault(Operation op)
    {
        var (kind, starts) = FaultKinds.WindowStartedBy(op.F) is { } started ? (started, true)
            : FaultKinds.WindowEndedBy(op.F) is { } ended ? (ended, false)
            : (op.F, true);
        var faults = ActiveFaults;
        if (!starts) faults = faults.Remove(kind);
        else if (op.Error is null)
        {
            faults = faults.SetItem(kind, Describe(op));
            Interlocked.Increment(ref _faultsInjected);
        }
        Volatile.Write(ref _faults, faults);
    }

    private static string Describe(Operation op)
    {
        var v = op.Value;
        if (v?.Get("components") is { IsSeq: true } components)
            return string.Join(" | ", components.Items.Select(c => string.Join(' ', c.Items.Select(n => n.AsName()))));
        if (v?.Get("links") is { IsSeq: true } links)
            return "cut " + string.Join(", ", links.Items.Select(l => string.Join('-', l.Items.Select(n => n.AsName()))));
        if (v?.Get("nodes") is { IsSeq: true } nodes)
            return string.Join(' ', nodes.Items.Select(n => n.AsName()));
        return op.F;
    }
}
