using System.Globalization;
using System.Text;
using Harness.Core.Edn;

namespace Harness.Core.Histories.Formats;

/// <summary>
/// Writes a history as Jepsen EDN: a vector of op maps, one per line, with keywords for <c>:type</c>,
/// <c>:f</c>, <c>:process :nemesis</c> and the names of transaction micro-ops (<c>[:append k v]</c>).
/// Map keys that are plain names become keywords and decimal strings become integers.
/// </summary>
public static class EdnHistoryExporter
{
    public static void WriteFile(string path, IEnumerable<Operation> ops)
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        Write(w, ops);
    }

    public static string ToEdn(IEnumerable<Operation> ops)
    {
        using var w = new StringWriter(CultureInfo.InvariantCulture);
        Write(w, ops);
        return w.ToString();
    }

    public static void Write(TextWriter w, IEnumerable<Operation> ops)
    {
        var sb = new StringBuilder(256);
        w.Write('[');
        var first = true;
        foreach (var op in ops)
        {
            sb.Clear();
            if (!first) sb.Append("\n ");
            first = false;
            AppendOp(sb, op);
            w.Write(sb);
        }
        w.Write("]\n");
    }

    /// <summary>One op as an EDN map.</summary>
    public static string OpToEdn(Operation op)
    {
        var sb = new StringBuilder(128);
        AppendOp(sb, op);
        return sb.ToString();
    }

    private static void AppendOp(StringBuilder sb, Operation op)
    {
        sb.Append("{:index ").Append(op.Index.ToString(CultureInfo.InvariantCulture))
          .Append(", :type :").Append(HistoryJson.TypeName(op.Type))
          .Append(", :process ").Append(op.IsNemesis ? ":nemesis" : op.Process.ToString(CultureInfo.InvariantCulture))
          .Append(", :f ").Append(Keyword(op.F))
          .Append(", :value ");
        EdnWriter.Write(sb, ToJepsen(op.Value ?? Datum.Nil, op.F == "txn"));
        if (op.TimeNanos >= 0) sb.Append(", :time ").Append(op.TimeNanos.ToString(CultureInfo.InvariantCulture));
        if (op.Error is not null) sb.Append(", :error ").Append(IsKeywordName(op.Error) ? ":" + op.Error : EdnWriter.ToEdn(Datum.Of(op.Error)));
        if (op.Node is not null) sb.Append(", :node ").Append(EdnWriter.ToEdn(Datum.Of(op.Node)));
        sb.Append('}');
    }

    private static string Keyword(string name) => IsKeywordName(name) ? ":" + name : EdnWriter.ToEdn(Datum.Of(name));

    private static bool IsKeywordName(string s) =>
        s.Length > 0 && (char.IsLetter(s[0]) || s[0] is '*' or '!' or '_' or '?' or '<' or '>' or '=')
        && s.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '*' or '!' or '?' or '<' or '>' or '=' or '.' or '/');

    private static Datum ToJepsen(Datum d, bool txn)
    {
        if (txn && d.IsSeq)
            return Datum.Vec(d.Items.Select(mop => mop.IsSeq && mop.Count > 0 && mop[0].Kind == DatumKind.String && IsKeywordName(mop[0].AsName())
                ? Datum.Vec(mop.Items.Select((x, i) => i == 0 ? Datum.Kw(x.AsName()) : ToJepsen(x, false)))
                : ToJepsen(mop, false)));
        switch (d.Kind)
        {
            case DatumKind.Map:
                return Datum.Map(d.Entries.Select(e => new KeyValuePair<Datum, Datum>(MapKey(e.Key), ToJepsen(e.Value, false))));
            case DatumKind.Vector or DatumKind.List when !d.TryGetLongs(out _):
                return Datum.Vec(d.Items.Select(x => ToJepsen(x, false)));
            default:
                return d;
        }
    }

    private static Datum MapKey(Datum k)
    {
        if (k.Kind != DatumKind.String) return k;
        var s = k.AsName();
        if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) && l.ToString(CultureInfo.InvariantCulture) == s) return Datum.Of(l);
        return IsKeywordName(s) ? Datum.Kw(s) : k;
    }
}
