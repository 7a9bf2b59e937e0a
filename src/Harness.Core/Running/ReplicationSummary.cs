using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Core.Checking;

namespace Harness.Core.Running;

/// <summary>
/// The informational result "replication-status" in results.json: per replica, the lag the database itself reported
/// during the run (lag.jsonl), as p50/p95/max of each figure and the states it was seen in. Always valid: the
/// verdict on staleness belongs to the consistency checkers, and visibility lag measured from the history is the
/// "visibility" result beside it.
/// </summary>
public static class ReplicationSummary
{
    public const string Checker = "replication-status";

    /// <summary>The summary of <paramref name="samples"/>; <paramref name="failed"/> samples were skipped (timed out or failed).</summary>
    public static CheckResult From(IReadOnlyList<LagSample> samples, int failed = 0)
    {
        var nodes = new JsonObject();
        var parts = new List<string>();
        foreach (var g in samples.GroupBy(s => s.Node).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var list = g.ToList();
            var states = new JsonObject();
            foreach (var st in list.GroupBy(s => s.State ?? "unknown").OrderBy(s => s.Key, StringComparer.Ordinal)) states[st.Key] = st.Count();
            var replay = Sorted(list.Select(s => s.ReplayLagMs));
            var bytes = Sorted(list.Select(s => (double?)s.BytesBehind));
            nodes[g.Key] = new JsonObject
            {
                ["samples"] = list.Count,
                ["states"] = states,
                ["write_lag_ms"] = Figures(Sorted(list.Select(s => s.WriteLagMs))),
                ["flush_lag_ms"] = Figures(Sorted(list.Select(s => s.FlushLagMs))),
                ["replay_lag_ms"] = Figures(replay),
                ["bytes_behind"] = Figures(bytes),
            };
            var text = new List<string>();
            if (replay.Length > 0) text.Add(string.Create(CultureInfo.InvariantCulture, $"replay lag p95 {Percentile(replay, 0.95):0.##} ms, max {replay[^1]:0.##} ms"));
            if (bytes.Length > 0) text.Add($"up to {Bytes(bytes[^1])} behind (p95 {Bytes(Percentile(bytes, 0.95))})");
            parts.Add($"{g.Key}: {(text.Count == 0 ? "no figures" : string.Join(", ", text))}");
        }
        var stats = new JsonObject
        {
            ["samples"] = samples.Count,
            ["failed_samples"] = failed,
            ["nodes"] = nodes,
        };
        var summary = samples.Count == 0
            ? $"the database reported no replica ({failed} samples failed or timed out)"
            : string.Join("; ", parts) + (failed > 0 ? $" ({failed} samples failed or timed out)" : "");
        return new CheckResult { Checker = Checker, Validity = Validity.Valid, Summary = summary, Stats = stats };
    }

    /// <summary>"512 B", "12.3 KiB", "4.56 MiB".</summary>
    public static string Bytes(double bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes:0} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024:0.#} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024 * 1024):0.##} MiB"),
    };

    private static double[] Sorted(IEnumerable<double?> values) => [.. values.Where(v => v is { } d && double.IsFinite(d)).Select(v => v!.Value).Order()];

    private static JsonObject? Figures(double[] sorted) => sorted.Length == 0 ? null : new JsonObject
    {
        ["p50"] = Percentile(sorted, 0.5),
        ["p95"] = Percentile(sorted, 0.95),
        ["max"] = Math.Round(sorted[^1], 3),
        ["reported"] = sorted.Length,
    };

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : Math.Round(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)], 3);
}
