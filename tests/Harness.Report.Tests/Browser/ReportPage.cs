using System.Text.Json.Nodes;

namespace Harness.Report.Tests.Browser;

/// <summary>What a test (or the benchmark) reads from a report open in chromium.</summary>
public static class ReportPage
{
    /// <summary>True once the page's script has drawn the timeline and rendered anomalies and plots.</summary>
    public const string Ready = "!!(window.__harnessReport && window.__harnessReport.ready)";

    /// <summary>performance.now() (ms since navigation start) when the timeline was first drawn.</summary>
    public const string TimelineDrawnAt = "window.__harnessReport ? window.__harnessReport.timelineDrawnAt : null";

    /// <summary>Pixels of the timeline canvas in the "ok" bar colour (#3c9a55): > 0 once bars are drawn.</summary>
    public const string OkPixels = """
        (() => {
          const c = document.querySelector('canvas.timeline-canvas');
          if (!c || !c.width || !c.height) return 0;
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 0; i < d.length; i += 4) if (d[i] === 60 && d[i + 1] === 154 && d[i + 2] === 85) n++;
          return n;
        })()
        """;

    /// <summary>The data-kind of every anomaly card, in page order.</summary>
    public const string AnomalyKinds = "[...document.querySelectorAll('article.anomaly')].map(a => a.dataset.kind)";

    public static async Task<string> ArtifactPathAsync(string name)
    {
        var dir = Environment.GetEnvironmentVariable("HARNESS_TEST_ARTIFACTS") is { Length: > 0 } d
            ? d
            : Path.Combine(Path.GetTempPath(), "harness-report-artifacts");
        Directory.CreateDirectory(dir);
        await Task.CompletedTask;
        return Path.Combine(dir, name);
    }

    public static double Number(JsonNode? node) => node is JsonValue v && v.TryGetValue<double>(out var d) ? d : double.NaN;
}
