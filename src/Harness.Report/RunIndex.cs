using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Harness.Report;

/// <summary>results/index.html: a static page listing runs newest first, with verdict colours and links.</summary>
internal static class RunIndex
{
    private const string Marker = "<meta name=\"generator\" content=\"harness index\">";

    public static bool IsOurs(string indexPath)
    {
        using var reader = new StreamReader(indexPath);
        var head = new char[1024];
        var n = reader.ReadBlock(head, 0, head.Length);
        return new string(head, 0, n).Contains(Marker, StringComparison.Ordinal);
    }

    /// <summary>Runs under root/&lt;test&gt;/&lt;time&gt;/ (a directory holding a history, results or test.json), newest first.</summary>
    public static List<RunEntry> Scan(string root)
    {
        var runs = new List<RunEntry>();
        if (!Directory.Exists(root)) return runs;
        foreach (var testDir in new DirectoryInfo(root).EnumerateDirectories())
        {
            if (testDir.LinkTarget is not null) continue; // results/latest
            foreach (var runDir in testDir.EnumerateDirectories())
            {
                if (runDir.LinkTarget is not null) continue;
                var has = (string name) => File.Exists(Path.Combine(runDir.FullName, name));
                if (!has(RunFiles.History) && !has(RunFiles.Results) && !has(RunFiles.Test)) continue;
                var (verdict, summary) = Verdict(Path.Combine(runDir.FullName, RunFiles.Results));
                var page = has(RunFiles.Report) ? RunFiles.Report : has(RunFiles.Results) ? RunFiles.Results : has(RunFiles.History) ? RunFiles.History : RunFiles.Test;
                var link = $"{Uri.EscapeDataString(testDir.Name)}/{Uri.EscapeDataString(runDir.Name)}/{page}";
                runs.Add(new RunEntry(testDir.Name, runDir.Name, When(runDir), verdict, summary, link));
            }
        }
        runs.Sort((a, b) => b.When != a.When ? b.When.CompareTo(a.When) : string.CompareOrdinal(b.Time, a.Time));
        return runs;
    }

    private static readonly string[] TimeFormats = ["yyyyMMdd'T'HHmmss'Z'", "yyyyMMdd'T'HHmmssfff'Z'", "yyyyMMdd'T'HHmmss.fff'Z'", "yyyy-MM-dd'T'HH-mm-ss'Z'"];

    private static DateTimeOffset When(DirectoryInfo dir) =>
        DateTimeOffset.TryParseExact(dir.Name, TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t
            : new DateTimeOffset(dir.CreationTimeUtc, TimeSpan.Zero);

    private static (string Verdict, string Summary) Verdict(string resultsPath)
    {
        if (!File.Exists(resultsPath)) return ("not checked", "no results.json (still running, or crashed before checking)");
        try
        {
            var o = JsonNode.Parse(File.ReadAllText(resultsPath)) as JsonObject;
            var verdict = (string?)o?["validity"] ?? (o?["valid"] is JsonValue v && v.TryGetValue<bool>(out var b) ? (b ? "valid" : "invalid") : "unknown");
            return (verdict, (string?)o?["summary"] ?? "");
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidOperationException)
        {
            return ("unknown", $"results.json is unreadable: {e.Message}");
        }
    }

    public static string Html(IReadOnlyList<RunEntry> runs, DateTimeOffset generated, IReadOnlyList<MatrixEntry>? matrices = null)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var counts = runs.GroupBy(r => r.Verdict).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}");
        var sb = new StringBuilder();
        sb.Append("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            """).Append(Marker).Append("""
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>harness results</title>
            <style>
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1d2330;background:#f6f7f9}
            h1{font-size:20px;margin:0 0 4px} .sub{color:#5b6475;margin-bottom:16px}
            table{border-collapse:collapse;width:100%;background:#fff;box-shadow:0 1px 2px #0001}
            th,td{text-align:left;padding:7px 10px;border-bottom:1px solid #e5e8ee;vertical-align:top}
            th{background:#eef0f4;font-weight:600} td.t{white-space:nowrap;font-variant-numeric:tabular-nums}
            a{color:#2457c5;text-decoration:none} a:hover{text-decoration:underline}
            .v{display:inline-block;min-width:84px;text-align:center;border-radius:10px;padding:1px 8px;font-weight:600;font-size:12px}
            .valid{background:#d9f2df;color:#1b6b32}.invalid{background:#fbdcdc;color:#9b1c1c}.unknown{background:#fdf0cf;color:#7a5a00}.not-checked{background:#e8eaee;color:#4a5263}
            .pending,.running{background:#e8eaee;color:#4a5263} h2{font-size:16px;margin:20px 0 8px}
            .matrix{margin-bottom:16px} .mh{color:#5b6475;margin-bottom:4px} table.grid{width:auto} td.tn{font-family:ui-monospace,monospace;font-size:12px} td.cell{padding:4px 6px}
            </style></head><body>
            <h1>harness results</h1>
            """);
        sb.Append("<div class=\"sub\">").Append(runs.Count).Append(runs.Count == 1 ? " run" : " runs");
        if (runs.Count > 0) sb.Append(": ").Append(E(string.Join(", ", counts)));
        sb.Append(". Generated ").Append(generated.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)).Append(".</div>\n");
        MatrixIndex.AppendHtml(sb, matrices ?? []);
        sb.Append("<table><thead><tr><th>started</th><th>test</th><th>verdict</th><th>summary</th></tr></thead><tbody>\n");
        foreach (var r in runs)
        {
            sb.Append("<tr><td class=\"t\"><a href=\"").Append(E(r.Link)).Append("\">")
              .Append(E(r.When.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))).Append("</a></td><td>")
              .Append(E(r.Test)).Append("</td><td><span class=\"v ").Append(r.Verdict.Replace(' ', '-')).Append("\">")
              .Append(E(r.Verdict)).Append("</span></td><td>").Append(E(r.Summary)).Append("</td></tr>\n");
        }
        if (runs.Count == 0) sb.Append("<tr><td colspan=\"4\">No runs yet: <code>harness test ...</code> writes results/&lt;test&gt;/&lt;time&gt;/.</td></tr>\n");
        sb.Append("</tbody></table>\n</body></html>\n");
        return sb.ToString();
    }
}
