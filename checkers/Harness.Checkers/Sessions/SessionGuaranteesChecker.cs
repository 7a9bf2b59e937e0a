using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Checkers.Cycles;
using Harness.Core.Checking;
using Harness.Core.Histories;

namespace Harness.Checkers.Sessions;

/// <summary>
/// Session guarantees (Terry et al. 1994; consistent prefix from Terry 2013) on list-append histories
/// (f "txn", value [["append",k,v],["r",k,[..]]]). A session is a process by default (see
/// <see cref="SessionGuaranteesOptions.SessionOf"/>). Versions come from the append-only lists: the version
/// order of key k is its longest read (every read must be a prefix of it), the version a read observed is its
/// length, and an append's version is its position + 1 (none when no read ever saw it). Only ok transactions
/// count; a transaction's external reads (first read of a key, before its own appends to it) are its
/// observations; within one transaction, reads see one state (transactions are atomic snapshots: checked by
/// the cycle checkers, not here). Each violation names the session, the operations in session order, the
/// offending operation and the versions (docs/checkers.md has the exact rules).
/// </summary>
public sealed partial class SessionGuaranteesChecker(SessionGuaranteesOptions? options = null) : IChecker
{
    public const string ReadYourWrites = "read-your-writes", MonotonicReads = "monotonic-reads",
        MonotonicWrites = "monotonic-writes", WritesFollowReads = "writes-follow-reads", ConsistentPrefix = "consistent-prefix";

    private readonly SessionGuaranteesOptions _options = options ?? new SessionGuaranteesOptions();

    public string Name => "session-guarantees";

    private bool On(SessionGuarantees g) => (_options.Guarantees & g) != 0;

    public CheckResult Check(History history, CancellationToken ct)
    {
        var d = SessionData.Build(history, _options.SessionOf, ct);
        var found = new List<Anomaly>();
        if (On(SessionGuarantees.ConsistentPrefix))
        {
            IncompatibleReads(d, found);
            CrossKeyPrefix(d, found, ct);
        }
        PerSession(d, found, ct);
        if (On(SessionGuarantees.MonotonicWrites) || On(SessionGuarantees.WritesFollowReads)) Observers(d, found, ct);
        var counts = found.GroupBy(a => a.Type).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        var countsJson = new JsonObject();
        foreach (var (k, v) in counts) countsJson[k] = v;
        var stats = new JsonObject
        {
            ["sessions"] = d.BySession.Count,
            ["txns"] = d.Txns.Count,
            ["keys"] = d.Keys.Count,
            ["guarantees"] = _options.Guarantees.ToString(),
            ["violations"] = countsJson,
        };
        var listed = found.GroupBy(a => a.Type).SelectMany(g => g.Take(_options.MaxListedPerGuarantee)).ToList();
        if (found.Count == 0)
            return new CheckResult
            {
                Checker = Name, Validity = Validity.Valid, Stats = stats,
                Summary = $"{d.BySession.Count} sessions, {d.Txns.Count} transactions: every checked guarantee holds ({_options.Guarantees})",
            };
        return new CheckResult
        {
            Checker = Name, Validity = Validity.Invalid, Stats = stats, Anomalies = [.. listed],
            Summary = "violated: " + string.Join(", ", counts.Select(c => $"{c.Key} ({c.Value})")),
        };
    }

    private static Anomaly Violation(string guarantee, long session, SessionData d, int key, IEnumerable<long> ops, long offending,
        long? expected, long? observed, string text, JsonObject? extra = null)
    {
        var data = new JsonObject
        {
            ["session"] = session,
            ["guarantee"] = guarantee,
            ["key"] = Texts.Json(d.Keys.Name(key)),
            ["ops"] = new JsonArray([.. ops.Select(o => (JsonNode?)JsonValue.Create(o))]),
            ["offending_op"] = offending,
            ["expected_at_least"] = expected,
            ["observed"] = observed,
        };
        if (extra is not null)
            foreach (var (k, v) in extra.ToList())
            {
                extra.Remove(k);
                data[k] = v;
            }
        return new Anomaly { Type = guarantee, Explanation = text, Ops = [.. ops.Append(offending).Distinct().Order()], Data = data };
    }

    private static string V(long? version) => version is { } v ? v.ToString(CultureInfo.InvariantCulture) : "none";

    /// <summary>Read-your-writes, monotonic reads, and the same-key parts of monotonic writes and writes-follow-reads.</summary>
    private void PerSession(SessionData d, List<Anomaly> found, CancellationToken ct)
    {
        foreach (var (session, txns) in d.BySession)
        {
            ct.ThrowIfCancellationRequested();
            var maxRead = new Dictionary<int, (int Len, long Op)>();
            var ownWrite = new Dictionary<int, (int Version, long Op, long Value)>(); // strongest: highest version, or unseen (int.MaxValue)
            foreach (var txn in txns)
            {
                foreach (var (k, len) in txn.Reads)
                {
                    var key = d.Keys.Name(k);
                    if (On(SessionGuarantees.ReadYourWrites) && ownWrite.TryGetValue(k, out var w) && len < w.Version)
                    {
                        var unseen = w.Version == int.MaxValue;
                        var need = unseen ? d.Orders[k].Elems.Count + 1 : w.Version;
                        found.Add(Violation(ReadYourWrites, session, d, k, [w.Op, txn.Op], txn.Op, need, len,
                            $"session {session}: op {txn.Op} read key {key} at version {len}, without {w.Value}, which the session appended earlier (op {w.Op})"
                            + (unseen ? "; no read ever saw that append" : $" at version {w.Version}"),
                            new JsonObject { ["write"] = new JsonObject { ["op"] = w.Op, ["value"] = w.Value, ["version"] = unseen ? null : w.Version } }));
                    }
                    if (On(SessionGuarantees.MonotonicReads) && maxRead.TryGetValue(k, out var r) && len < r.Len)
                        found.Add(Violation(MonotonicReads, session, d, k, [r.Op, txn.Op], txn.Op, r.Len, len,
                            $"session {session}: op {txn.Op} read key {key} at version {len}, older than version {r.Len} the session read before (op {r.Op})"));
                }
                foreach (var (k, v) in txn.Appends)
                {
                    var version = d.VersionOf(k, v);
                    var key = d.Keys.Name(k);
                    if (On(SessionGuarantees.WritesFollowReads) && version is { } ver && maxRead.TryGetValue(k, out var r) && ver <= r.Len)
                        found.Add(Violation(WritesFollowReads, session, d, k, [r.Op, txn.Op], d.Orders[k].LongestOp, r.Len + 1, ver,
                            $"session {session} read key {key} at version {r.Len} (op {r.Op}) and then appended {v} (op {txn.Op}), yet {v} sits at version {ver} of key {key}, before what the session had read"));
                    if (On(SessionGuarantees.MonotonicWrites) && version is { } ver2 && ownWrite.TryGetValue(k, out var w) && w.Version >= ver2)
                    {
                        var unseen = w.Version == int.MaxValue;
                        found.Add(Violation(MonotonicWrites, session, d, k, [w.Op, txn.Op], d.Orders[k].LongestOp, unseen ? null : w.Version + 1, ver2,
                            $"session {session} appended {w.Value} (op {w.Op}) and later {v} (op {txn.Op}) to key {key}, but {v} is visible at version {ver2} "
                            + (unseen ? $"while {w.Value} never became visible" : $"before {w.Value} (version {w.Version})"),
                            new JsonObject { ["earlier_write"] = new JsonObject { ["op"] = w.Op, ["value"] = w.Value, ["version"] = unseen ? null : w.Version } }));
                    }
                }
                foreach (var (k, len) in txn.Reads)
                    if (!maxRead.TryGetValue(k, out var r) || len > r.Len) maxRead[k] = (len, txn.Op);
                foreach (var (k, v) in txn.Appends)
                {
                    var version = d.VersionOf(k, v) ?? int.MaxValue;
                    if (!ownWrite.TryGetValue(k, out var w) || version > w.Version) ownWrite[k] = (version, txn.Op, v);
                }
            }
        }
    }
}
