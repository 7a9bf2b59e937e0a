namespace Harness.Core.Nemeses;

/// <summary>The op.F values of nemesis operations (docs/history-format.md).</summary>
public static class NemesisFs
{
    public const string StartPartition = "start-partition";
    public const string StopPartition = "stop-partition";
    public const string Kill = "kill";
    public const string KillPrimary = "kill-primary";
    public const string Start = "start";
    public const string Pause = "pause";
    public const string Resume = "resume";
    public const string StartLoss = "start-loss";
    public const string StopLoss = "stop-loss";
    public const string StartLag = "start-lag";
    public const string StopLag = "stop-lag";
}
