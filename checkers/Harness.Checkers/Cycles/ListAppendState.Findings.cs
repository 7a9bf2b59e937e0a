using System.Text.Json.Nodes;
using Harness.Core.Histories;

namespace Harness.Checkers.Cycles;

internal sealed partial class ListAppendState
{
    private void CheckInternal(Operation op, int i, int key, ReadOnlySpan<long> elems, int priorRead)
    {
        var start = priorRead >= 0 ? priorRead + 1 : 0;
        var own = new List<long>();
        for (var j = start; j < i; j++)
            if (_mops[j].Append && _mops[j].Key == key) own.Add(_mops[j].Value);
        long[] expected;
        bool ok;
        if (priorRead >= 0)
        {
            var prior = _mops[priorRead].Read!;
            if (!prior.IsNil && !prior.TryGetLongs(out _)) return;
            long[] before = prior.IsNil ? [] : (prior.TryGetLongs(out var p) ? p.ToArray() : []);
            expected = [.. before, .. own];
            ok = elems.SequenceEqual(expected);
        }
        else
        {
            if (own.Count == 0) return;
            expected = [.. own];
            ok = elems.EndsWith(expected);
        }
        if (ok) return;
        var what = priorRead >= 0
            ? $"its earlier read and its own appends since imply {Texts.List(expected)}"
            : $"it had appended {Texts.List(expected)} before, so the read must end with them";
        Findings.Add(new Finding(AnomalyTypes.Internal,
            $"op {op.Index} (process {op.Process}) read key {Keys.Name(key)} = {Texts.List(elems)}, but {what}",
            [op.Index],
            new JsonObject
            {
                ["op"] = op.Index,
                ["key"] = Texts.Json(Keys.Name(key)),
                ["expected"] = Texts.JsonList(expected),
                ["expected_is_suffix"] = priorRead < 0,
                ["observed"] = Texts.JsonList(elems),
            }));
    }

    private void IncompatibleOrder(int t, Operation op, int key, ReadOnlySpan<long> elems, KeyOrder order, int at)
    {
        _ = t;
        Findings.Add(new Finding(AnomalyTypes.IncompatibleOrder,
            $"op {op.Index} read key {Keys.Name(key)} = {Texts.List(elems)}, which is not a prefix of op {order.LongestOp}'s read "
            + $"{Texts.List(order.Elems.AsSpan(0, order.Count))}: they differ at position {at} ({elems[at]} vs {order.Elems[at]}), "
            + "so the two reads cannot come from one version history",
            order.LongestOp >= 0 ? [order.LongestOp, op.Index] : [op.Index],
            new JsonObject
            {
                ["key"] = Texts.Json(Keys.Name(key)),
                ["op"] = op.Index,
                ["observed"] = Texts.JsonList(elems),
                ["other_op"] = order.LongestOp,
                ["other"] = Texts.JsonList(order.Elems.AsSpan(0, order.Count)),
                ["position"] = at,
            }));
    }
}
