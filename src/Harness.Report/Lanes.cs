namespace Harness.Report;

/// <summary>
/// Assigns each client process a timeline lane. Up to <see cref="MaxDedicated"/> processes get a lane each;
/// beyond that (many crashed workers), processes are packed greedily into lanes that are free by the time the
/// process first invokes, so the timeline stays as tall as the concurrency.
/// </summary>
internal static class Lanes
{
    public const int MaxDedicated = 16;

    /// <summary>Lane per process, and the processes of each lane (for its label).</summary>
    public static (Dictionary<int, int> LaneOf, List<List<int>> Members) Assign(
        IReadOnlyList<(int Process, long Start, long End)> rows)
    {
        var first = new Dictionary<int, (long Start, long End)>();
        foreach (var (p, s, e) in rows)
            first[p] = first.TryGetValue(p, out var r) ? (Math.Min(r.Start, s), Math.Max(r.End, e)) : (s, e);
        var laneOf = new Dictionary<int, int>();
        var members = new List<List<int>>();
        if (first.Count <= MaxDedicated)
        {
            foreach (var p in first.Keys.Order())
            {
                laneOf[p] = members.Count;
                members.Add([p]);
            }
            return (laneOf, members);
        }
        var laneEnd = new List<long>();
        foreach (var (p, span) in first.OrderBy(kv => kv.Value.Start).ThenBy(kv => kv.Key))
        {
            var lane = laneEnd.FindIndex(end => end <= span.Start);
            if (lane < 0)
            {
                lane = laneEnd.Count;
                laneEnd.Add(0);
                members.Add([]);
            }
            laneEnd[lane] = span.End;
            laneOf[p] = lane;
            members[lane].Add(p);
        }
        return (laneOf, members);
    }
}
