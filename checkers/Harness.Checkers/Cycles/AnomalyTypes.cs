using System.Collections.Frozen;

namespace Harness.Checkers.Cycles;

/// <summary>
/// The transactional anomaly names this project reports, and which anomalies each one implies (after Elle's
/// elle.consistency-model/implied-anomalies, restricted to what we detect). Every rw edge we infer is an item
/// anti-dependency (there are no predicates), so our G-single and G-nonadjacent are Elle's G-single-item and
/// G-nonadjacent-item and imply G2-item.
/// </summary>
public static class AnomalyTypes
{
    public const string G0 = "G0", G1a = "G1a", G1b = "G1b", G1c = "G1c", GSingle = "G-single",
        GNonadjacent = "G-nonadjacent", G2Item = "G2-item", Internal = "internal", LostUpdate = "lost-update",
        DuplicateElements = "duplicate-elements", IncompatibleOrder = "incompatible-order",
        GarbageRead = "garbage-read", CyclicVersions = "cyclic-versions", DuplicateWrites = "duplicate-writes";

    private static readonly FrozenDictionary<string, string[]> Implies = new Dictionary<string, string[]>
    {
        ["G0"] = ["G1c", "G0-process"],
        ["G0-process"] = ["G1c-process", "G0-realtime"],
        ["G0-realtime"] = ["G1c-realtime"],
        ["G1a"] = ["G1"],
        ["G1b"] = ["G1"],
        ["G1c"] = ["G1", "G1c-process"],
        ["G1c-process"] = ["G1c-realtime", "G1-process"],
        ["G1c-realtime"] = ["G1-realtime"],
        ["G1"] = ["G1-process"],
        ["G1-process"] = ["G1-realtime"],
        ["G-single"] = ["G-nonadjacent", "G-single-process"],
        ["G-single-process"] = ["G-nonadjacent-process", "G-single-realtime"],
        ["G-single-realtime"] = ["G-nonadjacent-realtime"],
        ["G-nonadjacent"] = ["G2-item", "G-nonadjacent-process"],
        ["G-nonadjacent-process"] = ["G2-item-process", "G-nonadjacent-realtime"],
        ["G-nonadjacent-realtime"] = ["G2-item-realtime"],
        ["G2-item"] = ["G2", "G2-item-process"],
        ["G2-item-process"] = ["G2-process", "G2-item-realtime"],
        ["G2-item-realtime"] = ["G2-realtime"],
        ["G2"] = ["G2-process"],
        ["G2-process"] = ["G2-realtime"],
        ["incompatible-order"] = ["G1a"],
        ["garbage-read"] = ["G1a"],
        ["cyclic-versions"] = ["G0"],
        ["lost-update"] = ["G2-item"],
    }.ToFrozenDictionary();

    /// <summary>The anomaly and every anomaly it implies (transitively).</summary>
    public static IReadOnlySet<string> Closure(string anomaly)
    {
        var seen = new HashSet<string> { anomaly };
        var todo = new Stack<string>([anomaly]);
        while (todo.Count > 0)
            foreach (var next in Implies.GetValueOrDefault(todo.Pop()) ?? [])
                if (seen.Add(next)) todo.Push(next);
        return seen;
    }
}
