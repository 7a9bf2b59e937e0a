using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Core.Checking;
using Harness.Core.Histories;

namespace Harness.Checkers.Cycles;

/// <summary>Turns found cycles and findings into <see cref="Anomaly"/> records and the final <see cref="CheckResult"/>.</summary>
internal static class CycleReport
{
    /// <summary>At most this many anomalies of one type are listed; stats count them all.</summary>
    public const int MaxListedPerType = 20;

    private static string Describe(string anomaly)
    {
        var (cls, variant) = anomaly.EndsWith("-process", StringComparison.Ordinal) ? (anomaly[..^8], " (using process order)")
            : anomaly.EndsWith("-realtime", StringComparison.Ordinal) ? (anomaly[..^9], " (using real-time order)")
            : (anomaly, "");
        var what = cls switch
        {
            "G0" => "a write cycle (ww edges only)",
            "G1c" => "circular information flow (ww and wr edges, at least one wr)",
            "G-single" => "a cycle with exactly one anti-dependency (rw) edge",
            "G-nonadjacent" => "a cycle with several rw edges, no two adjacent",
            "G2-item" => "an anti-dependency cycle with adjacent rw edges",
            _ => "a dependency cycle",
        };
        return what + variant;
    }

    public static string EdgeName(EdgeKinds kind) => kind switch
    {
        EdgeKinds.WW => "ww",
        EdgeKinds.WR => "wr",
        EdgeKinds.RW => "rw",
        EdgeKinds.Process => "process",
        _ => "realtime",
    };

    /// <summary>Common "why" texts for order edges.</summary>
    public static string OrderWhy(TxnTable txns, CycleStep s, string from, string to) => s.Kind == EdgeKinds.Process
        ? $"{from} and {to} ran in that order on process {txns.Process[s.From]}, so {from} process-precedes {to}"
        : $"{from} completed (op {txns.OpIndex[s.From]}) before {to} was invoked (op {txns.InvokeIndex[s.To]}), so {from} real-time-precedes {to}";

    public static Anomaly Cycle(FoundCycle cycle, TxnTable txns, Func<long, Operation?>? lookup,
        Func<CycleStep, string, string, string> why)
    {
        // Start at the earliest transaction, so T1 is the first in history order.
        var start = 0;
        for (var i = 1; i < cycle.Steps.Length; i++)
            if (txns.OpIndex[cycle.Steps[i].From] < txns.OpIndex[cycle.Steps[start].From]) start = i;
        cycle = cycle with { Steps = [.. cycle.Steps[start..], .. cycle.Steps[..start]] };
        var names = new Dictionary<int, string>();
        foreach (var s in cycle.Steps) names.TryAdd(s.From, "T" + (names.Count + 1).ToString(CultureInfo.InvariantCulture));
        var text = new StringBuilder($"{cycle.Anomaly}: {Describe(cycle.Anomaly)}, {cycle.Steps.Length} transactions:");
        var data = new JsonArray();
        foreach (var s in cycle.Steps)
        {
            var txt = TxnText(txns, s.From, lookup);
            text.Append(CultureInfo.InvariantCulture, $"\n  {names[s.From]} = op {txns.OpIndex[s.From]} (process {txns.Process[s.From]}): {txt}");
        }
        foreach (var s in cycle.Steps)
        {
            var reason = s.Kind is EdgeKinds.Process or EdgeKinds.Realtime
                ? OrderWhy(txns, s, names[s.From], names[s.To])
                : why(s, names[s.From], names[s.To]);
            text.Append(CultureInfo.InvariantCulture, $"\n  {names[s.From]} -{EdgeName(s.Kind)}-> {names[s.To]}: {reason}");
            data.Add((JsonNode)new JsonObject
            {
                ["op"] = txns.OpIndex[s.From],
                ["txn"] = TxnText(txns, s.From, lookup),
                ["edge"] = EdgeName(s.Kind),
                ["to"] = txns.OpIndex[s.To],
                ["why"] = reason,
            });
        }
        return new Anomaly
        {
            Type = cycle.Anomaly,
            Explanation = text.ToString(),
            Ops = [.. cycle.Steps.Select(s => txns.OpIndex[s.From])],
            Data = new JsonObject { ["cycle"] = data, ["anomaly"] = cycle.Anomaly },
        };
    }

    public static string TxnText(TxnTable txns, int t, Func<long, Operation?>? lookup) =>
        lookup?.Invoke(txns.OpIndex[t]) is { } op ? Texts.Txn(op.Value) : $"txn at op {txns.OpIndex[t]}";

    /// <summary>The verdict: invalid when some anomaly is forbidden by the model; unknown when a search was cut short.</summary>
    /// <summary>The isolation levels from weakest to strongest (repeatable read and snapshot isolation are
    /// incomparable): which the found anomalies leave satisfied at the top, and which they violate at the bottom.</summary>
    private static readonly (string Name, string[] Weaker)[] Levels =
    [
        ("read-uncommitted", []),
        ("read-committed", ["read-uncommitted"]),
        ("repeatable-read", ["read-committed"]),
        ("snapshot-isolation", ["read-committed"]),
        ("serializable", ["repeatable-read", "snapshot-isolation"]),
    ];

    /// <summary>The strongest levels with none of <paramref name="found"/> forbidden, and the weakest levels that
    /// forbid some of them (each with the anomalies it forbids).</summary>
    public static (List<string> Satisfied, List<(string Name, List<string> Anomalies)> Violated) Ladder(IEnumerable<string> found)
    {
        var types = found.ToList();
        var ok = Levels.ToDictionary(l => l.Name, l => !types.Any(ConsistencyModels.Parse(l.Name).Forbids));
        bool Stronger(string a, string b) => Levels.First(l => l.Name == a).Weaker.Any(w => w == b || Stronger(w, b));
        var satisfied = Levels.Where(l => ok[l.Name] && !Levels.Any(o => ok[o.Name] && Stronger(o.Name, l.Name))).Select(l => l.Name).ToList();
        var violated = Levels.Where(l => !ok[l.Name] && !Levels.Any(o => !ok[o.Name] && Stronger(l.Name, o.Name)))
            .Select(l => (l.Name, types.Where(ConsistencyModels.Parse(l.Name).Forbids).ToList())).ToList();
        return (satisfied, violated);
    }

    /// <summary>The verdict against <paramref name="model"/>. When <paramref name="levelName"/> names another model (the
    /// level as the database calls it) that forbids some anomaly found, the summary ends by saying so plainly.</summary>
    public static CheckResult Result(string checker, ConsistencyModel model, IReadOnlyList<Anomaly> all, JsonObject stats, bool truncated, string? levelName = null)
    {
        var counts = all.GroupBy(a => a.Type).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        var forbidden = counts.Keys.Where(model.Forbids).ToList();
        var allowed = counts.Keys.Where(a => !model.Forbids(a)).ToList();
        var countsJson = new JsonObject();
        foreach (var (k, v) in counts) countsJson[k] = v;
        stats["model"] = model.Name;
        stats["anomaly_counts"] = countsJson;
        stats["forbidden_found"] = new JsonArray([.. forbidden.Select(f => (JsonNode?)JsonValue.Create(f))]);
        stats["search_truncated"] = truncated;
        var (satisfied, violated) = Ladder(counts.Keys);
        stats["satisfies"] = new JsonArray([.. satisfied.Select(m => (JsonNode?)JsonValue.Create(m))]);
        stats["violates"] = new JsonArray([.. violated.Select(m => (JsonNode?)JsonValue.Create(m.Name))]);
        var models = (satisfied.Count > 0 ? $"satisfies {string.Join(" and ", satisfied)}" : "satisfies none of the isolation levels")
            + string.Concat(violated.Select(v => $"; not {v.Name}: {Fmt(v.Anomalies)}"));
        var listed = all.GroupBy(a => a.Type).SelectMany(g => g.Take(MaxListedPerType)).ToList();
        string Fmt(IEnumerable<string> types) => string.Join(", ", types.Select(t => $"{t} ({counts[t]})"));
        var note = "";
        var againstName = levelName is null || levelName == model.Name ? [] : counts.Keys.Where(ConsistencyModels.Parse(levelName).Forbids).ToList();
        if (againstName.Count > 0)
        {
            stats["level"] = levelName;
            stats["contradicts_level"] = new JsonArray([.. againstName.Select(f => (JsonNode?)JsonValue.Create(f))]);
            note = $". The level is called {levelName}, but the history shows {Fmt(againstName)}, which {levelName} forbids: this contradicts the level's name";
        }
        if (forbidden.Count > 0)
            return new CheckResult
            {
                Checker = checker, Validity = Validity.Invalid, Stats = stats, Anomalies = [.. listed],
                Summary = $"not {model.Name}: {Fmt(forbidden)}" + (allowed.Count > 0 ? $"; also allowed by the model: {Fmt(allowed)}" : "") + $" ({models}){note}",
            };
        var txnCount = stats["txns"]?.GetValue<int>() ?? 0;
        var tail = allowed.Count > 0 ? $"; anomalies the model allows: {Fmt(allowed)}" : "";
        if (counts.ContainsKey(AnomalyTypes.DuplicateWrites))
            return new CheckResult
            {
                Checker = checker, Validity = Validity.Unknown, Stats = stats, Anomalies = [.. listed],
                Summary = $"no forbidden anomaly found in {txnCount} transactions, but some values were written twice to one key, so which write a read saw is ambiguous{tail}{note}",
            };
        if (truncated)
            return new CheckResult
            {
                Checker = checker, Validity = Validity.Unknown, Stats = stats, Anomalies = [.. listed],
                Summary = $"no forbidden anomaly found in {txnCount} transactions, but a cycle search hit its budget, so one may have been missed{tail}{note}",
            };
        return new CheckResult
        {
            Checker = checker, Validity = Validity.Valid, Stats = stats, Anomalies = [.. listed],
            Summary = $"{model.Name}: no forbidden anomaly in {txnCount} transactions{tail} ({models}){note}",
        };
    }
}
