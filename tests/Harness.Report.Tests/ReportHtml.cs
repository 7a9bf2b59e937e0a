using System.Text.Json.Nodes;

namespace Harness.Report.Tests;

/// <summary>Reads the data a report.html embeds (the JSON in its report-data script element).</summary>
public static class ReportHtml
{
    public static JsonObject Data(string html)
    {
        const string open = "<script id=\"report-data\" type=\"application/json\">";
        var start = html.IndexOf(open, StringComparison.Ordinal);
        Assert.True(start >= 0, "no report-data element");
        start += open.Length;
        var end = html.IndexOf("</script>", start, StringComparison.Ordinal);
        return JsonNode.Parse(html[start..end])!.AsObject();
    }

    public static long[] Cumulative(JsonNode? deltas)
    {
        var values = deltas!.AsArray().Select(v => (long)v!).ToArray();
        for (var i = 1; i < values.Length; i++) values[i] += values[i - 1];
        return values;
    }
}
