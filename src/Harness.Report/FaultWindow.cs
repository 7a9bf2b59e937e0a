using System.Collections.Immutable;

namespace Harness.Report;

/// <summary>
/// A period during which a fault was (possibly) in effect: from the invocation of the nemesis op that started it
/// (start-partition, kill, pause, start-loss, kill-primary...) to the completion of the op that ended it
/// (stop-partition, start, resume, stop-loss), or to the end of the history when nothing ended it.
/// An instantaneous nemesis op with no counterpart (e.g. promote) is a window from its invocation to its completion.
/// </summary>
/// <param name="Kind">The fault, e.g. "partition", "kill", "pause", "loss", "promote".</param>
/// <param name="StartNanos">Invocation time of the starting op (ns since test start).</param>
/// <param name="EndNanos">Completion time of the ending op, or the history's last time when <paramref name="Open"/>.</param>
/// <param name="Open">True when no op ended the fault before the history ended.</param>
/// <param name="Label">Plain words for the band, e.g. "partition n1 | n2 n3".</param>
/// <param name="Nodes">The nodes hit, from the start op's completion value ("nodes").</param>
/// <param name="Ops">History indices of the nemesis events that make up the window.</param>
public sealed record FaultWindow(
    string Kind,
    long StartNanos,
    long EndNanos,
    bool Open,
    string Label,
    ImmutableArray<string> Nodes,
    ImmutableArray<long> Ops);
