using System.Collections.Immutable;

namespace Harness.Core.Nemeses;

/// <summary>
/// One kind of fault <c>--nemesis</c> accepts: its name, the window it opens in the report (kill-primary is a
/// kill), the op.F values that start and end it, how many nodes it needs, and its help. The one table that
/// <c>test</c>, <c>list</c>, the progress line and the report read.
/// </summary>
public sealed record FaultKind(string Name, string Window, string StartF, string StopF, int MinNodes, string Description);

/// <summary>Every fault kind, and the lookups from op.F back to them.</summary>
public static class FaultKinds
{
    public static FaultKind Partition { get; } = new(NemesisPackages.Partition, "partition", NemesisFs.StartPartition, NemesisFs.StopPartition, 2,
        "cut the network between groups of nodes (shape from --partition-shape)");
    public static FaultKind Kill { get; } = new(NemesisPackages.Kill, "kill", NemesisFs.Kill, NemesisFs.Start, 1, "SIGKILL a random node's server, later restart it");
    public static FaultKind KillPrimary { get; } = new(NemesisPackages.KillPrimary, "kill", NemesisFs.KillPrimary, NemesisFs.Start, 1, "SIGKILL the primary's server, later restart it");
    public static FaultKind Pause { get; } = new(NemesisPackages.Pause, "pause", NemesisFs.Pause, NemesisFs.Resume, 1, "SIGSTOP a random node's server, later SIGCONT it");
    public static FaultKind Loss { get; } = new(NemesisPackages.Loss, "loss", NemesisFs.StartLoss, NemesisFs.StopLoss, 2, "drop a share of packets between nodes (--loss-probability)");

    public static FaultKind Lag { get; } = new(NemesisPackages.Lag, "lag", NemesisFs.StartLag, NemesisFs.StopLag, 2,
        "hold replication back on some or all replicas, then let them catch up (with other faults: all replicas, for their whole duration)");

    public static ImmutableArray<FaultKind> All { get; } = [Partition, Kill, Pause, KillPrimary, Loss, Lag];

    public static ImmutableArray<string> Names { get; } = [.. All.Select(k => k.Name)];

    /// <summary>The report window an op.F opens (e.g. kill-primary → kill), or null when it opens none.</summary>
    public static string? WindowStartedBy(string f) => All.FirstOrDefault(k => k.StartF == f)?.Window;

    /// <summary>The report window an op.F closes (e.g. resume → pause), or null when it closes none.</summary>
    public static string? WindowEndedBy(string f) => All.FirstOrDefault(k => k.StopF == f)?.Window;
}
