using System.Collections.Immutable;
using System.Text;
using Harness.Core.Databases;
using Harness.Core.Histories;
using Harness.Core.Nemeses;

namespace Harness.Report;

/// <summary>Turns the nemesis operations of a history into <see cref="FaultWindow"/>s (the report's shaded bands).</summary>
public static class FaultWindows
{
    /// <summary>The fault windows of a history, ordered by start; times are <see cref="Operation.TimeNanos"/>.</summary>
    public static ImmutableArray<FaultWindow> From(History history) => From(history, op => op.TimeNanos);

    /// <summary>The fault windows of a history with a custom clock (e.g. the op index when times are unknown).</summary>
    public static ImmutableArray<FaultWindow> From(History history, Func<Operation, long> time)
    {
        var windows = new List<FaultWindow>();
        var open = new Dictionary<string, List<(Operation Start, Operation? Done)>>(StringComparer.Ordinal);
        long end = history.Count == 0 ? 0 : time(history[^1]);
        foreach (var op in history.NemesisOps)
        {
            if (!op.IsInvoke && history.Partner(op) is not null) continue; // seen with its invocation
            var done = op.IsInvoke ? history.Partner(op) : op;
            if (Starts(op.F) is { } kind)
            {
                if (!open.TryGetValue(kind, out var list)) open[kind] = list = [];
                list.Add((op, done));
            }
            else if (op.F == "heal" || Ends(op.F) is not null)
            {
                // "heal" (the runner's heal when a run is interrupted) ends every open fault
                foreach (var ended in op.F == "heal" ? open.Keys.ToList() : [Ends(op.F)!])
                {
                    if (!open.Remove(ended, out var started)) continue;
                    var stop = done ?? op;
                    foreach (var (start, startDone) in started)
                        windows.Add(Window(ended, start, startDone, time(start), time(stop), open: false, [start.Index, .. Index(startDone), op.Index, .. Index(done)]));
                }
            }
            else if (op.F != IHasNodeStates.F) // the convergence reads are the runner's, not a fault
            {
                windows.Add(Window(op.F, op, done, time(op), time(done ?? op), open: false, [op.Index, .. Index(done)]));
            }
        }
        foreach (var (kind, started) in open)
            foreach (var (start, startDone) in started)
                windows.Add(Window(kind, start, startDone, time(start), Math.Max(end, time(start)), open: true, [start.Index, .. Index(startDone)]));
        windows.Sort((a, b) => a.StartNanos != b.StartNanos ? a.StartNanos.CompareTo(b.StartNanos) : a.Ops[0].CompareTo(b.Ops[0]));
        return [.. windows];
    }

    /// <summary>The kind of fault an op starts (start-partition → partition, kill → kill, pause → pause), or null.</summary>
    public static string? Starts(string f) => FaultKinds.WindowStartedBy(f) ?? f switch
    {
        _ when f.StartsWith("start-", StringComparison.Ordinal) && f.Length > 6 => f[6..],
        _ => null,
    };

    /// <summary>The kind of fault an op ends (stop-partition → partition, start → kill, resume → pause), or null.</summary>
    public static string? Ends(string f) => FaultKinds.WindowEndedBy(f) ?? f switch
    {
        _ when f.StartsWith("stop-", StringComparison.Ordinal) && f.Length > 5 => f[5..],
        _ => null,
    };

    private static IEnumerable<long> Index(Operation? op) => op is null ? [] : [op.Index];

    private static FaultWindow Window(string kind, Operation start, Operation? done, long from, long to, bool open, ImmutableArray<long> ops)
    {
        var nodes = Names(done?.Value?.Get("nodes")) is { Length: > 0 } n ? n : Names(start.Value?.Get("nodes"));
        var label = new StringBuilder(start.F == "kill-primary" ? "kill primary" : kind);
        if (done?.Value?.Get("components") is { IsSeq: true } components && components.Count > 0)
            label.Append(' ').AppendJoin(" | ", components.Items.Select(c => string.Join(' ', Names(c))));
        else if (nodes.Length > 0)
            label.Append(' ').AppendJoin(' ', nodes);
        if (done?.Error is { } error) label.Append(" (").Append(error).Append(')');
        return new FaultWindow(kind, from, Math.Max(from, to), open, label.ToString(), nodes, ops);
    }

    private static ImmutableArray<string> Names(Datum? d) => d switch
    {
        null => [],
        { IsName: true } => [d.AsName()],
        { IsSeq: true } or { Kind: DatumKind.Set } => [.. d.Items.Where(x => x.IsName || x.IsInt).Select(x => x.IsName ? x.AsName() : x.ToString())],
        _ => [],
    };
}
