using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Core.Checking;
using Harness.Core.Histories;

namespace Harness.Checkers.Invariants;

/// <summary>
/// Set workload (f "add" value v, then final f "read"s returning every element). The final reads are the ok
/// reads that began after the last add ended (each client reads at the end; without one, the last ok read). An add
/// acknowledged (ok) but missing from any final read is LOST; an add whose outcome was unknown (info, or never
/// completed) and present is recovered (fine); an element nobody tried to add, or whose add failed, is
/// unexpected; an element read twice is a duplicate. Valid when nothing is lost, unexpected or duplicated.
/// Unknown when there is no ok read.
/// </summary>
public sealed class SetChecker : IChecker
{
    public string Name => "set";

    private enum AddState { Unknown, Ok, Failed }

    public CheckResult Check(History history, CancellationToken ct)
    {
        var adds = new Dictionary<long, (AddState State, long InvokeOp, long AckOp, long AckTime)>();
        var okReads = new List<(long Invoke, Operation Completion)>();
        long lastAddEvent = -1;
        foreach (var (invoke, completion) in history.ClientPairs())
        {
            ct.ThrowIfCancellationRequested();
            if (invoke.F == "add")
            {
                if (invoke.Value is null || !invoke.Value.TryGetLong(out var v))
                    throw new HistoryFormatException("history", invoke.Index, $"op {invoke.Index}: set add needs an integer value, got {invoke.Value}");
                lastAddEvent = Math.Max(lastAddEvent, completion?.Index ?? invoke.Index);
                var state = completion switch { { IsOk: true } => AddState.Ok, { IsFail: true } => AddState.Failed, _ => AddState.Unknown };
                if (adds.TryGetValue(v, out var prev) && prev.State == AddState.Ok && state != AddState.Ok) continue;
                adds[v] = (state, invoke.Index, completion?.Index ?? -1, completion?.TimeNanos ?? -1);
            }
            else if (invoke.F == "read" && completion is { IsOk: true })
            {
                okReads.Add((invoke.Index, completion));
            }
        }
        if (okReads.Count == 0)
            return CheckResult.Unknown(Name, $"no successful final read, so the {adds.Count} adds cannot be checked");
        // Final reads: every ok read that began after the last add ended (each client reads once at the end);
        // without such a read, the last ok read.
        var finals = okReads.Where(r => r.Invoke > lastAddEvent).Select(r => r.Completion).ToList();
        if (finals.Count == 0) finals = [okReads[^1].Completion];
        var finalRead = finals[^1];
        var perRead = new List<(Operation Op, Dictionary<long, int> Counts)>();
        foreach (var f in finals)
        {
            var c = new Dictionary<long, int>();
            foreach (var d in (f.Value ?? Datum.Nil).Items)
            {
                if (!d.TryGetLong(out var e))
                    throw new HistoryFormatException("history", f.Index, $"op {f.Index}: set read holds a non-integer {d}");
                c[e] = c.GetValueOrDefault(e) + 1;
            }
            perRead.Add((f, c));
        }
        var read = finalRead.Value ?? Datum.Nil;
        var counts = perRead.SelectMany(r => r.Counts).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Max(kv => kv.Value));
        List<long> MissingFrom(long e) => [.. perRead.Where(r => !r.Counts.ContainsKey(e)).Select(r => r.Op.Index)];
        var lost = adds.Where(a => a.Value.State == AddState.Ok && MissingFrom(a.Key).Count > 0).OrderBy(a => a.Value.AckOp).ToList();
        var recovered = adds.Where(a => a.Value.State == AddState.Unknown && counts.ContainsKey(a.Key)).Select(a => a.Key).Order().ToList();
        var unexpected = counts.Keys.Where(e => !adds.TryGetValue(e, out var a) || a.State == AddState.Failed).Order().ToList();
        var duplicates = counts.Where(c => c.Value > 1).Select(c => c.Key).Order().ToList();
        var acked = adds.Count(a => a.Value.State == AddState.Ok);
        var anomalies = new List<Anomaly>();
        if (lost.Count > 0)
        {
            var list = new JsonArray();
            foreach (var (e, a) in lost)
                list.Add((JsonNode)new JsonObject
                {
                    ["element"] = e, ["add_op"] = a.InvokeOp, ["ack_op"] = a.AckOp, ["ack_time"] = a.AckTime,
                    ["missing_from"] = new JsonArray([.. MissingFrom(e).Select(i => (JsonNode?)JsonValue.Create(i))]),
                });
            anomalies.Add(new Anomaly
            {
                Type = "lost-write",
                Explanation = $"{Plural(lost.Count, "acknowledged write was", "acknowledged writes were")} lost: {FinalReads(finals)} lack{(finals.Count == 1 ? "s" : "")} "
                    + Elements(lost.Select(l => l.Key).ToList()) + ", though each add completed ok "
                    + $"(first acknowledged at op {lost[0].Value.AckOp}: add {lost[0].Key})",
                Ops = [.. lost.Select(l => l.Value.AckOp), finalRead.Index],
                Data = new JsonObject { ["lost"] = list, ["count"] = lost.Count, ["final_read_op"] = finalRead.Index, ["final_read_ops"] = FinalOps(finals) },
            });
        }
        if (unexpected.Count > 0)
        {
            anomalies.Add(new Anomaly
            {
                Type = "unexpected-element",
                Explanation = $"{FinalReads(finals)} hold {Elements(unexpected)} that no add could have written (never attempted, or the add failed)",
                Ops = [finalRead.Index, .. unexpected.Where(adds.ContainsKey).Select(e => adds[e].InvokeOp)],
                Data = new JsonObject
                {
                    ["unexpected"] = new JsonArray([.. unexpected.Select(e => (JsonNode?)new JsonObject
                    {
                        ["element"] = e,
                        ["add_op"] = adds.TryGetValue(e, out var a) ? a.InvokeOp : null,
                        ["add_failed"] = adds.ContainsKey(e),
                    })]),
                    ["final_read_op"] = finalRead.Index,
                },
            });
        }
        if (duplicates.Count > 0)
        {
            anomalies.Add(new Anomaly
            {
                Type = "duplicate-element",
                Explanation = $"{FinalReads(finals)} hold {Elements(duplicates)} more than once",
                Ops = [finalRead.Index],
                Data = new JsonObject
                {
                    ["duplicates"] = new JsonArray([.. duplicates.Select(e => (JsonNode?)new JsonObject { ["element"] = e, ["count"] = counts[e] })]),
                    ["final_read_op"] = finalRead.Index,
                },
            });
        }
        var stats = new JsonObject
        {
            ["attempted"] = adds.Count,
            ["acknowledged"] = acked,
            ["lost"] = lost.Count,
            ["recovered"] = recovered.Count,
            ["unexpected"] = unexpected.Count,
            ["duplicated"] = duplicates.Count,
            ["final_read_size"] = read.Count,
            ["final_read_op"] = finalRead.Index,
            ["final_reads"] = finals.Count,
        };
        var tail = $"{acked} acknowledged, {recovered.Count} unacknowledged recovered";
        var problems = new List<string>();
        if (lost.Count > 0) problems.Add($"{Plural(lost.Count, "acknowledged write was", "acknowledged writes were")} LOST");
        if (unexpected.Count > 0) problems.Add($"{Plural(unexpected.Count, "unexpected element", "unexpected elements")} read");
        if (duplicates.Count > 0) problems.Add($"{Plural(duplicates.Count, "element", "elements")} read twice");
        return problems.Count > 0
            ? new CheckResult { Checker = Name, Validity = Validity.Invalid, Summary = $"{string.Join("; ", problems)} ({tail})", Anomalies = [.. anomalies], Stats = stats }
            : new CheckResult { Checker = Name, Validity = Validity.Valid, Summary = $"no acknowledged write lost ({tail})", Stats = stats };
    }

    private static string FinalReads(List<Operation> finals) => finals.Count == 1
        ? $"the final read (op {finals[0].Index})"
        : $"the final reads (ops {string.Join(", ", finals.Select(f => f.Index))})";

    private static JsonArray FinalOps(List<Operation> finals) => new([.. finals.Select(f => (JsonNode?)JsonValue.Create(f.Index))]);

    private static string Plural(int n, string one, string many) => $"{n.ToString(CultureInfo.InvariantCulture)} {(n == 1 ? one : many)}";

    private static string Elements(List<long> xs) =>
        (xs.Count == 1 ? "element " : "elements ") + string.Join(", ", xs.Take(20)) + (xs.Count > 20 ? $" and {xs.Count - 20} more" : "");
}
