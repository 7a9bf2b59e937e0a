using System.Globalization;
using System.Text;
using Harness.Core.Histories;

namespace Harness.Core.Edn;

/// <summary>Writes <see cref="Datum"/> values as EDN text (the inverse of <see cref="EdnReader"/>).</summary>
public static class EdnWriter
{
    public static string ToEdn(Datum d)
    {
        var sb = new StringBuilder();
        Write(sb, d);
        return sb.ToString();
    }

    public static void Write(StringBuilder sb, Datum d)
    {
        switch (d.Kind)
        {
            case DatumKind.Nil: sb.Append("nil"); break;
            case DatumKind.Bool: sb.Append(d.AsBool() ? "true" : "false"); break;
            case DatumKind.Int: sb.Append(d.AsLong().ToString(CultureInfo.InvariantCulture)); break;
            case DatumKind.Float: WriteFloat(sb, d.AsDouble()); break;
            case DatumKind.String: WriteString(sb, d.AsName()); break;
            case DatumKind.Keyword: sb.Append(':').Append(d.AsName()); break;
            case DatumKind.Symbol: sb.Append(d.AsName()); break;
            case DatumKind.Vector: WriteItems(sb, "[", "]", d); break;
            case DatumKind.List: WriteItems(sb, "(", ")", d); break;
            case DatumKind.Set: WriteItems(sb, "#{", "}", d); break;
            case DatumKind.Map:
                {
                    sb.Append('{');
                    var first = true;
                    foreach (var (k, v) in d.Entries)
                    {
                        if (!first) sb.Append(", ");
                        first = false;
                        Write(sb, k);
                        sb.Append(' ');
                        Write(sb, v);
                    }
                    sb.Append('}');
                    break;
                }
            case DatumKind.Tagged:
                d.TryGetTagged(out var tag, out var inner);
                sb.Append('#').Append(tag).Append(' ');
                Write(sb, inner);
                break;
        }
    }

    private static void WriteFloat(StringBuilder sb, double v)
    {
        if (double.IsNaN(v)) sb.Append("##NaN");
        else if (double.IsPositiveInfinity(v)) sb.Append("##Inf");
        else if (double.IsNegativeInfinity(v)) sb.Append("##-Inf");
        else
        {
            var s = v.ToString("R", CultureInfo.InvariantCulture);
            sb.Append(s);
            if (!s.Contains('.', StringComparison.Ordinal) && !s.Contains('E', StringComparison.Ordinal)) sb.Append(".0");
        }
    }

    private static void WriteItems(StringBuilder sb, string open, string close, Datum d)
    {
        sb.Append(open);
        var i = 0;
        foreach (var item in d.Items)
        {
            if (i++ > 0) sb.Append(' ');
            Write(sb, item);
        }
        sb.Append(close);
    }

    /// <summary>Writes a string literal with EDN escapes.</summary>
    public static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (char.IsControl(c)) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
