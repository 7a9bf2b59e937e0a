using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Harness.Report;

/// <summary>One test of a matrix run: its name and one verdict per repetition.</summary>
internal sealed record MatrixRow(string Name, IReadOnlyList<MatrixRun> Runs);

/// <summary>One run of a matrix test: verdict (valid, invalid, unknown, pending, running), a tooltip and a link.</summary>
internal sealed record MatrixRun(int Repetition, string Verdict, string Summary, string? Link);

/// <summary>A matrix run of <c>harness test-all</c>, read from results/matrices/&lt;time&gt;/matrix.json.</summary>
internal sealed record MatrixEntry(string Time, DateTimeOffset When, int? Exit, bool Finished, IReadOnlyList<MatrixRow> Rows);

/// <summary>The matrix runs shown as grids at the top of results/index.html (one row per test, one column per repetition).</summary>
internal static class MatrixIndex
{
    private const string Directory = RunFiles.MatrixDirectory;
    private const string File = RunFiles.Matrix;

    /// <summary>Every readable matrix.json under root/matrices/*/, newest first; unreadable ones are left out.</summary>
    public static List<MatrixEntry> Scan(string root)
    {
        var list = new List<MatrixEntry>();
        var dir = new DirectoryInfo(Path.Combine(root, Directory));
        if (!dir.Exists || dir.LinkTarget is not null) return list;
        foreach (var run in dir.EnumerateDirectories())
        {
            var path = Path.Combine(run.FullName, File);
            if (run.LinkTarget is not null || !System.IO.File.Exists(path)) continue;
            if (Read(path, run.Name) is { } entry) list.Add(entry);
        }
        list.Sort((a, b) => b.When != a.When ? b.When.CompareTo(a.When) : string.CompareOrdinal(b.Time, a.Time));
        return list;
    }

    private static MatrixEntry? Read(string path, string time)
    {
        try
        {
            if (JsonNode.Parse(System.IO.File.ReadAllText(path)) is not JsonObject o || o["tests"] is not JsonArray tests) return null;
            var when = DateTimeOffset.TryParse((string?)o["started"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : DateTimeOffset.MinValue;
            var rows = tests.OfType<JsonObject>().Select(test => new MatrixRow(
                (string?)test["name"] ?? "?",
                [.. (test["runs"] as JsonArray ?? []).OfType<JsonObject>().Select((r, i) => new MatrixRun(
                    r["repetition"] is JsonValue rep && rep.TryGetValue<int>(out var n) ? n : i + 1,
                    (string?)r["verdict"] ?? "unknown",
                    (string?)r["reason"] ?? (string?)r["summary"] ?? "",
                    Link((string?)r["directory"])))])).ToList();
            var exit = o["exit"] is JsonValue e && e.TryGetValue<int>(out var x) ? x : (int?)null;
            return new MatrixEntry(time, when, exit, o["finished"] is not null, rows);
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The report of a run directory given relative to the results root; nothing absolute or climbing out.</summary>
    private static string? Link(string? directory)
    {
        if (string.IsNullOrEmpty(directory) || Path.IsPathRooted(directory) || directory.Contains(':', StringComparison.Ordinal)) return null;
        var parts = directory.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Any(p => p is ".." or ".")) return null;
        return string.Join('/', parts.Select(Uri.EscapeDataString)) + "/" + RunFiles.Report;
    }

    /// <summary>The grids, or nothing when there is no matrix run.</summary>
    public static void AppendHtml(StringBuilder sb, IReadOnlyList<MatrixEntry> matrices)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        if (matrices.Count == 0) return;
        sb.Append("<h2>matrix runs</h2>\n");
        foreach (var m in matrices)
        {
            var runs = m.Rows.SelectMany(r => r.Runs).ToList();
            var counts = runs.GroupBy(r => r.Verdict).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}");
            var state = m.Finished ? $"exit {m.Exit}" : "running or stopped";
            sb.Append("<div class=\"matrix\"><div class=\"mh\">")
              .Append(E(m.When == DateTimeOffset.MinValue ? m.Time : m.When.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)))
              .Append(": ").Append(m.Rows.Count).Append(m.Rows.Count == 1 ? " test, " : " tests, ").Append(E(string.Join(", ", counts)))
              .Append(" (").Append(E(state)).Append(")</div>\n<table class=\"grid\"><thead><tr><th>test</th>");
            var columns = m.Rows.Select(r => r.Runs.Count).DefaultIfEmpty(0).Max();
            for (var c = 1; c <= columns; c++) sb.Append("<th>").Append(c).Append("</th>");
            sb.Append("</tr></thead><tbody>\n");
            foreach (var row in m.Rows)
            {
                sb.Append("<tr><td class=\"tn\">").Append(E(row.Name)).Append("</td>");
                foreach (var run in row.Runs)
                {
                    var cls = run.Verdict.Replace(' ', '-');
                    var title = $"run {run.Repetition}: {run.Verdict}{(run.Summary.Length > 0 ? ": " + run.Summary : "")}";
                    sb.Append("<td class=\"cell\">");
                    if (run.Link is { } link) sb.Append("<a class=\"v ").Append(E(cls)).Append("\" href=\"").Append(E(link)).Append("\" title=\"").Append(E(title)).Append("\">");
                    else sb.Append("<span class=\"v ").Append(E(cls)).Append("\" title=\"").Append(E(title)).Append("\">");
                    sb.Append(E(run.Verdict)).Append(run.Link is null ? "</span>" : "</a>").Append("</td>");
                }
                for (var c = row.Runs.Count; c < columns; c++) sb.Append("<td></td>");
                sb.Append("</tr>\n");
            }
            sb.Append("</tbody></table></div>\n");
        }
        sb.Append("<h2>runs</h2>\n");
    }
}
