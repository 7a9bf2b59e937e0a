using System.Text.Json.Nodes;
using Harness.Core.Checking;
using Harness.Core.Databases;
using Harness.Core.Histories;

namespace Harness.Workloads;

/// <summary>
/// Compares the final state of every node (the ok <see cref="IHasNodeStates.F"/> ops the runner records after
/// the final phase): nodes that disagree are an anomaly of their own ("divergence"), with the differing values
/// per node. States are compared entry by entry two levels deep (table -> row -> value) when they are maps, so
/// the anomaly names the rows that differ. Valid (nothing to compare) when fewer than two nodes answered.
/// </summary>
public sealed class ConvergenceChecker : IChecker
{
    public const string Divergence = "divergence";
    private const int MaxRowsShown = 20;

    public string Name => "convergence";

    public CheckResult Check(History history, CancellationToken ct)
    {
        var states = history.Where(o => o.IsNemesis && o.IsOk && o.F == IHasNodeStates.F && o.Value?.Get("state") is not null)
            .Select(o => (Node: o.Value!.Get("node")!.AsName(), State: o.Value.Get("state")!, o.Index))
            .ToList();
        var unread = history.Count(o => o.IsNemesis && o.IsFail && o.F == IHasNodeStates.F);
        if (states.Count < 2)
            return CheckResult.Valid(Name, states.Count == 0 ? "no node states recorded" : "only one node could be read; nothing to compare");
        var diffs = new List<(string Path, List<(string Node, Datum? Value)> Values)>();
        Compare("", states.Select(s => (s.Node, (Datum?)s.State)).ToList(), depth: 0, diffs);
        var readNote = unread > 0 ? $" ({unread} node(s) could not be read)" : "";
        if (diffs.Count == 0) return CheckResult.Valid(Name, $"all {states.Count} nodes hold the same final state{readNote}");
        var lines = diffs.Take(MaxRowsShown).Select(d => $"{d.Path}: {string.Join(", ", d.Values.Select(v => $"{v.Node}={Show(v.Value)}"))}");
        var data = new JsonObject
        {
            ["rows"] = new JsonArray([.. diffs.Take(200).Select(d => (JsonNode)new JsonObject
            {
                ["path"] = d.Path,
                ["values"] = new JsonObject(d.Values.Select(v => KeyValuePair.Create(v.Node, (JsonNode?)JsonValue.Create(Show(v.Value))))),
            })]),
        };
        var groups = states.GroupBy(s => s.State).Select(g => string.Join("=", g.Select(s => s.Node))).ToList();
        var anomaly = new Anomaly
        {
            Type = Divergence,
            Explanation = $"after the final heal and settle time the nodes disagree on {diffs.Count} entries (groups {string.Join(" | ", groups)}):\n" + string.Join('\n', lines)
                + (diffs.Count > MaxRowsShown ? $"\n... and {diffs.Count - MaxRowsShown} more" : ""),
            Ops = [.. states.Select(s => s.Index)],
            Data = data,
        };
        return CheckResult.Invalid(Name, $"the nodes diverged: {diffs.Count} entries differ between {string.Join(" | ", groups)}{readNote}", [anomaly]);
    }

    private static void Compare(string path, List<(string Node, Datum? Value)> values, int depth, List<(string, List<(string, Datum?)>)> diffs)
    {
        var first = values[0].Value;
        if (values.All(v => v.Value == first)) return;
        if (depth < 2 && values.All(v => v.Value is null || v.Value.Kind == DatumKind.Map))
        {
            var keys = values.Where(v => v.Value is not null).SelectMany(v => v.Value!.Entries.Select(e => e.Key)).Distinct().ToList();
            foreach (var key in keys)
                Compare(path.Length == 0 ? Show(key) : $"{path}/{Show(key)}", values.Select(v => (v.Node, v.Value?.Get(key))).ToList(), depth + 1, diffs);
            return;
        }
        diffs.Add((path.Length == 0 ? "state" : path, values));
    }

    private static string Show(Datum? d) => d is null ? "absent" : d.IsName ? d.AsName() : d.ToString();
}
