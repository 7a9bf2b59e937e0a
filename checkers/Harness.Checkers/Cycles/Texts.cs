using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Core.Histories;

namespace Harness.Checkers.Cycles;

/// <summary>Short renderings of values for explanations and report data.</summary>
internal static class Texts
{
    /// <summary>A list as "[1 2 3]", eliding the middle of long lists ("[1 2 … 98 99]").</summary>
    public static string List(ReadOnlySpan<long> xs)
    {
        var sb = new StringBuilder("[");
        for (var i = 0; i < xs.Length; i++)
        {
            if (xs.Length > 12 && i == 3)
            {
                sb.Append("… ");
                i = xs.Length - 4;
                continue;
            }
            sb.Append(xs[i].ToString(CultureInfo.InvariantCulture));
            if (i < xs.Length - 1) sb.Append(' ');
        }
        return sb.Append(']').ToString();
    }

    public static JsonArray JsonList(ReadOnlySpan<long> xs)
    {
        var a = new JsonArray();
        foreach (var x in xs) a.Add((JsonNode)x);
        return a;
    }

    public static JsonNode? Json(Datum d) => d.Kind switch
    {
        DatumKind.Nil => null,
        DatumKind.Int => JsonValue.Create(d.AsLong()),
        DatumKind.Bool => JsonValue.Create(d.AsBool()),
        DatumKind.Float => JsonValue.Create(d.AsDouble()),
        DatumKind.String or DatumKind.Keyword or DatumKind.Symbol => JsonValue.Create(d.AsName()),
        DatumKind.Vector or DatumKind.List or DatumKind.Set => new JsonArray([.. d.Items.Select(Json)]),
        _ => JsonValue.Create(d.ToString()),
    };

    /// <summary>A transaction's micro-ops as "append 5 3; r 5 [1 2]".</summary>
    public static string Txn(Datum? value)
    {
        if (value is null || !value.IsSeq) return value?.ToString() ?? "nil";
        var parts = new List<string>();
        foreach (var m in value.Items)
        {
            if (!m.IsSeq || m.Count == 0) { parts.Add(m.ToString()); continue; }
            var sb = new StringBuilder(m[0].IsName ? m[0].AsName() : m[0].ToString());
            for (var i = 1; i < m.Count; i++)
            {
                sb.Append(' ');
                sb.Append(m[i].TryGetLongs(out var xs) && m[i].Count > 0 ? List(xs) : m[i].ToString());
            }
            parts.Add(sb.ToString());
        }
        return string.Join("; ", parts);
    }
}
