using System.Text.Json.Nodes;
using Harness.Checkers.Cycles;
using Harness.Core.Checking;

namespace Harness.Checkers.Sessions;

public sealed partial class SessionGuaranteesChecker
{
    /// <summary>Per (session, key): entries in session order with a running maximum and where it came from.</summary>
    private sealed class Running
    {
        public List<int> Ordinal { get; } = [];
        public List<(int Max, long Op, long Value)> Best { get; } = [];

        public void Add(int ordinal, int value, long op, long v)
        {
            var best = Best.Count > 0 && Best[^1].Max >= value ? Best[^1] : (value, op, v);
            Ordinal.Add(ordinal);
            Best.Add(best);
        }

        /// <summary>The best entry among ordinals strictly below <paramref name="ordinal"/>, if any.</summary>
        public (int Max, long Op, long Value)? Before(int ordinal)
        {
            int lo = 0, hi = Ordinal.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (Ordinal[mid] < ordinal) lo = mid + 1;
                else hi = mid;
            }
            return lo == 0 ? null : Best[lo - 1];
        }
    }

    /// <summary>
    /// The cross-key parts of monotonic writes and writes-follow-reads, as seen by one transaction (one
    /// snapshot): when it reads a value a session wrote, it must also see that session's earlier writes (MW) and
    /// everything that session had read before writing it (WFR), on every other key it reads.
    /// </summary>
    private void Observers(SessionData d, List<Anomaly> found, CancellationToken ct)
    {
        var writes = new Dictionary<(long Session, int Key), Running>();
        var reads = new Dictionary<(long Session, int Key), Running>();
        foreach (var (session, txns) in d.BySession)
            foreach (var t in txns)
            {
                foreach (var (k, v) in t.Appends)
                    Get(writes, (session, k)).Add(t.Ordinal, d.VersionOf(k, v) ?? int.MaxValue, t.Op, v);
                foreach (var (k, len) in t.Reads)
                    Get(reads, (session, k)).Add(t.Ordinal, len, t.Op, 0);
            }
        var reported = new HashSet<(string, long, long, int)>();
        var latest = new Dictionary<long, (int Ordinal, long Op, long Value)>();
        foreach (var t in d.Txns)
        {
            ct.ThrowIfCancellationRequested();
            if (t.Reads.Count < 2) continue;
            foreach (var (k2, len2) in t.Reads)
            {
                latest.Clear();
                var elems = d.Orders[k2].Elems;
                var writerAt = d.Orders[k2].WriterAt;
                for (var p = 0; p < len2; p++)
                {
                    var w = writerAt[p];
                    if (w is null || w.Session == t.Session) continue;
                    if (!latest.TryGetValue(w.Session, out var l) || w.Ordinal > l.Ordinal) latest[w.Session] = (w.Ordinal, w.Op, elems[p]);
                }
                foreach (var (s, (ordinal, wop, v2)) in latest)
                    foreach (var (k1, len1) in t.Reads)
                    {
                        if (k1 == k2) continue;
                        var (key1, key2) = (d.Keys.Name(k1), d.Keys.Name(k2));
                        if (On(SessionGuarantees.MonotonicWrites) && writes.TryGetValue((s, k1), out var ws) && ws.Before(ordinal) is { } w1
                            && w1.Max > len1 && reported.Add((MonotonicWrites, t.Op, s, k1)))
                        {
                            var unseen = w1.Max == int.MaxValue;
                            found.Add(Violation(MonotonicWrites, s, d, k1, [w1.Op, wop], t.Op, unseen ? d.Orders[k1].Elems.Count + 1 : w1.Max, len1,
                                $"op {t.Op} saw {v2} on key {key2}, appended by session {s} (op {wop}), but read key {key1} at version {len1}, "
                                + $"without {w1.Value}, which session {s} appended before (op {w1.Op})",
                                new JsonObject { ["seen_write"] = new JsonObject { ["op"] = wop, ["key"] = Texts.Json(key2), ["value"] = v2 }, ["missed_value"] = w1.Value }));
                        }
                        if (On(SessionGuarantees.WritesFollowReads) && reads.TryGetValue((s, k1), out var rs) && rs.Before(ordinal) is { } r1
                            && r1.Max > len1 && reported.Add((WritesFollowReads, t.Op, s, k1)))
                        {
                            found.Add(Violation(WritesFollowReads, s, d, k1, [r1.Op, wop], t.Op, r1.Max, len1,
                                $"op {t.Op} saw {v2} on key {key2}, appended by session {s} (op {wop}) after it had read key {key1} at version {r1.Max} (op {r1.Op}), "
                                + $"but op {t.Op} read key {key1} at version {len1}",
                                new JsonObject { ["seen_write"] = new JsonObject { ["op"] = wop, ["key"] = Texts.Json(key2), ["value"] = v2 } }));
                        }
                    }
            }
        }
    }

    private static Running Get(Dictionary<(long, int), Running> map, (long, int) key)
    {
        if (!map.TryGetValue(key, out var r)) map[key] = r = new Running();
        return r;
    }
}
