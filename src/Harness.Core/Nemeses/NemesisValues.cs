using Harness.Core.Control;
using Harness.Core.Histories;

namespace Harness.Core.Nemeses;

/// <summary>Builds the values of nemesis completions: {"nodes":[...], ...}.</summary>
internal static class NemesisValues
{
    public static Datum Names(IEnumerable<Node> nodes) => Datum.Vec(nodes.Select(n => Datum.Of(n.Name)));

    public static Datum Map(params (string Key, Datum Value)[] entries) =>
        Datum.Map(entries.Select(e => new KeyValuePair<Datum, Datum>(Datum.Of(e.Key), e.Value)));

    public static Datum Nodes(IEnumerable<Node> nodes) => Map(("nodes", Names(nodes)));

    public static Operation Done(Operation op, Datum value) => op with { Type = OpType.Info, Value = value, Error = null };
}
