using System.Text.Json.Nodes;
using Harness.Core.Histories;
using Xunit.Abstractions;

namespace Harness.Report.Tests.Browser;

public sealed class ReportBrowserTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("harness-report-browser-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string TestData(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", name));

    private async Task<HeadlessChromium> OpenAsync(string report, string screenshot, CancellationToken ct)
    {
        var browser = await HeadlessChromium.LaunchAsync(1400, 1000, ct);
        await browser.NavigateAsync(new Uri(report).AbsoluteUri, ct);
        var ready = await browser.WaitForAsync(ReportPage.Ready, TimeSpan.FromSeconds(60), ct);
        Assert.True(ready, $"the page never became ready; script errors: {string.Join(" | ", browser.Errors)}");
        var shot = await ReportPage.ArtifactPathAsync(screenshot);
        await browser.ScreenshotAsync(shot, ct);
        output.WriteLine($"screenshot: {shot}");
        Console.WriteLine($"screenshot: {shot}");
        return browser;
    }

    [ChromiumFact]
    public async Task Should_Draw_Timeline_Without_Script_Errors_When_Opening_A_Valid_Run()
    {
        ChromiumFactAttribute.Require();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ct = cts.Token;
        // Given a valid run with partitions and kills
        var dir = SampleHistory.WriteRun(_root, "register", "20261122T030000Z", SampleHistory.Register(2000), TestData("results-valid.json"));
        var report = ReportWriter.WriteRun(dir);

        // When chromium opens its report
        await using var browser = await OpenAsync(report, "report-valid.png", ct);

        // Then the page has no script errors, the timeline has bars, the verdict says valid and there are no anomaly cards
        Assert.Empty(browser.Errors);
        Assert.True(ReportPage.Number(await browser.EvaluateAsync(ReportPage.OkPixels, ct)) > 500, "the timeline canvas has no ok bars");
        Assert.Equal("valid", (string?)await browser.EvaluateAsync("document.querySelector('.verdict.big').textContent", ct));
        Assert.Equal(0, ReportPage.Number(await browser.EvaluateAsync("document.querySelectorAll('article.anomaly').length", ct)));
        Assert.Equal(2, ReportPage.Number(await browser.EvaluateAsync("document.querySelectorAll('.uplot').length", ct)));
        var unmoved = await browser.EvaluateAsync("(t => t.view[0] === t.full[0] && t.view[1] === t.full[1])(window.__harnessReport.timeline)", ct);
        Assert.True(unmoved is JsonValue v && v.GetValue<bool>(), "building the plots moved the timeline");
        // (a run without lag.jsonl or a visibility result, e.g. an old one: no replication section)
        Assert.Equal(0, ReportPage.Number(await browser.EvaluateAsync("document.querySelectorAll('#replication').length", ct)));
    }

    [ChromiumFact]
    public async Task Should_Plot_Visibility_And_Replication_Lag_On_Fixed_Axes_When_The_Run_Has_Them()
    {
        ChromiumFactAttribute.Require();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ct = cts.Token;
        // Given a run with a visibility result and lag.jsonl (n2 detached for a while, its bytes behind growing)
        var history = SampleHistory.Register(2000);
        var dir = SampleHistory.WriteRun(_root, "session", "20261122T032000Z", history, SampleHistory.ResultsWithVisibility());
        var samples = SampleHistory.WriteLag(dir, history);
        var report = ReportWriter.WriteRun(dir);

        // When chromium opens its report
        await using var browser = await OpenAsync(report, "report-replication.png", ct);

        // Then there are no script errors and three more plots in a replication section: the t-visibility curve on
        // the fixed 13-bin axis with y 0..1, and replay lag and bytes behind, one series per replica, their y axes
        // from 0 to the next power of ten (10 ms; 4096 * 15 B = 60 KiB -> 100 KiB), over the same time as the other plots
        Assert.Empty(browser.Errors);
        Assert.Equal(5, ReportPage.Number(await browser.EvaluateAsync("document.querySelectorAll('.uplot').length", ct)));
        Assert.Equal(3, ReportPage.Number(await browser.EvaluateAsync("document.querySelectorAll('#replication .uplot').length", ct)));
        var figures = (await browser.EvaluateAsync("""
            (r => ({
              vx: [r.visibility.scales.x.min, r.visibility.scales.x.max], vy: [r.visibility.scales.y.min, r.visibility.scales.y.max],
              seen: r.visibility.data[1],
              ry: [r.replay.scales.y.min, r.replay.scales.y.max], by: [r.bytes.scales.y.min, r.bytes.scales.y.max],
              series: [r.replay.series.slice(1).map(s => s.label), r.bytes.series.slice(1).map(s => s.label)],
              maxKiB: Math.max(...r.bytes.data[1].filter(v => v !== null)),
              replayGaps: r.replay.data[1].filter(v => v === null).length,
              x0: r.bytes.scales.x.min,
            }))(window.__harnessReport.replication)
            """, ct))!.AsObject();
        Assert.Equal("[0,12]", figures["vx"]!.ToJsonString());
        Assert.Equal("[0,1]", figures["vy"]!.ToJsonString());
        Assert.Null(figures["seen"]!.AsArray()[12]); // the bin without trials is a gap, not 0
        Assert.Equal("[0,10]", figures["ry"]!.ToJsonString());
        Assert.Equal("[0,100]", figures["by"]!.ToJsonString());
        Assert.Equal("""[["n2","n3"],["n2","n3"]]""", figures["series"]!.ToJsonString());
        Assert.Equal(samples.Where(s => s.Node == "n2").Max(s => s.BytesBehind!.Value) / 1024.0, ReportPage.Number(figures["maxKiB"]), 3);
        Assert.Equal(samples.Count(s => s.State == "detached"), ReportPage.Number(figures["replayGaps"]));
        Assert.Equal(history.Min(o => o.TimeNanos) / 1e9, ReportPage.Number(figures["x0"]), 3);
    }

    [ChromiumFact]
    public async Task Should_Show_Each_Anomaly_Kind_When_Opening_An_Invalid_Run()
    {
        ChromiumFactAttribute.Require();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ct = cts.Token;
        // Given an invalid run whose results.json holds one anomaly of each shape (and one unknown shape)
        var dir = SampleHistory.WriteRun(_root, "register", "20261122T031500Z", SampleHistory.Register(300), TestData("results-invalid.json"));
        var report = ReportWriter.WriteRun(dir);

        // When chromium opens it and the first anomaly's "show on the timeline" button is clicked
        await using var browser = await OpenAsync(report, "report-invalid.png", ct);
        await browser.EvaluateAsync("document.querySelector('article.anomaly .anomaly-head button').click()", ct);

        // Then there are no script errors, the timeline is drawn, every anomaly has its section and the click focused its ops
        Assert.Empty(browser.Errors);
        Assert.True(ReportPage.Number(await browser.EvaluateAsync(ReportPage.OkPixels, ct)) > 100, "the timeline canvas has no ok bars");
        var kinds = (await browser.EvaluateAsync(ReportPage.AnomalyKinds, ct))!.AsArray().Select(k => (string?)k).ToList();
        Assert.Equal(["linearizability", "cycle", "session", "lost", "raw"], kinds);
        Assert.Equal("INVALID", (string?)await browser.EvaluateAsync("document.querySelector('.verdict.big').textContent", ct));
        Assert.Equal(3, ReportPage.Number(await browser.EvaluateAsync("document.querySelectorAll('svg.cycle g.txn').length", ct)));
        Assert.Equal(1, ReportPage.Number(await browser.EvaluateAsync("document.querySelectorAll('article.kind-session tr.mark.bad').length", ct)));
        // (ops 29 and 34 are the invocation and completion of one operation: one bar)
        Assert.Equal(1, ReportPage.Number(await browser.EvaluateAsync("window.__harnessReport.focused.length", ct)));
    }

    [ChromiumFact]
    public async Task Should_Show_Timeline_When_History_Has_No_Times()
    {
        ChromiumFactAttribute.Require();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ct = cts.Token;
        // Given an imported-style history without times and no results
        var ops = SampleHistory.Register(200).Select(o => o with { TimeNanos = -1 }).ToList();
        var file = Path.Combine(_root, "imported.jsonl");
        HistoryJson.WriteFile(file, ops);
        var report = Path.Combine(_root, "imported.report.html");
        ReportWriter.Write(new ReportInput { History = new History(ops), Title = "imported" }, report);

        // When chromium opens the report
        await using var browser = await OpenAsync(report, "report-no-times.png", ct);

        // Then the timeline is drawn in event order, without errors, and the page says it was not checked
        Assert.Empty(browser.Errors);
        Assert.True(ReportPage.Number(await browser.EvaluateAsync(ReportPage.OkPixels, ct)) > 100);
        Assert.Equal("not checked", (string?)await browser.EvaluateAsync("document.querySelector('.verdict.big').textContent", ct));
    }

    [ChromiumFact]
    public async Task Should_Zoom_Pan_Hover_And_Follow_Plot_Selection_When_The_User_Interacts()
    {
        ChromiumFactAttribute.Require();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ct = cts.Token;
        // Given an open report of a valid run
        var dir = SampleHistory.WriteRun(_root, "register", "20261122T033000Z", SampleHistory.Register(2000), TestData("results-valid.json"));
        await using var browser = await OpenAsync(ReportWriter.WriteRun(dir), "report-interaction.png", ct);
        const string View = "(t => t.view[1] - t.view[0])(window.__harnessReport.timeline)";
        const string Rect = "(e => { e.scrollIntoView({ block: 'center' }); const r = e.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })";
        var canvas = (await browser.EvaluateAsync($"{Rect}(document.querySelector('canvas.timeline-canvas'))", ct))!.AsArray().Select(n => (double)n!).ToArray();
        var fullSpan = ReportPage.Number(await browser.EvaluateAsync(View, ct));

        // When the wheel zooms in over the timeline
        var (cx, cy) = (canvas[0] + (canvas[2] / 2), canvas[1] + 60);
        await browser.MouseAsync("mouseWheel", cx, cy, ct, deltaY: -300);
        await Task.Delay(100, ct);
        var zoomed = ReportPage.Number(await browser.EvaluateAsync(View, ct));

        // Then the view is narrower; and a drag pans it without changing its width
        Assert.True(zoomed < fullSpan * 0.8, $"wheel did not zoom: {zoomed} vs {fullSpan}");
        var before = ReportPage.Number(await browser.EvaluateAsync("window.__harnessReport.timeline.view[0]", ct));
        await browser.DragAsync(cx, cx - 200, cy, ct);
        await Task.Delay(100, ct);
        Assert.True(ReportPage.Number(await browser.EvaluateAsync("window.__harnessReport.timeline.view[0]", ct)) > before, "drag did not pan");
        Assert.Equal(zoomed, ReportPage.Number(await browser.EvaluateAsync(View, ct)), 3);

        // When the mouse hovers over the first operation's bar
        await browser.EvaluateAsync("window.__harnessReport.timeline.reset()", ct);
        await Task.Delay(100, ct);
        var bar = (await browser.EvaluateAsync(
            "(t => { const m = t.m, r = m.laneRows[0][0]; const b = t.canvas.getBoundingClientRect(); return [b.left + t.x((m.t0[r] + m.t1[r]) / 2), b.top + t.top + t.laneH * (m.lane[r] + 0.5)]; })(window.__harnessReport.timeline)", ct))!
            .AsArray().Select(n => (double)n!).ToArray();
        await browser.MouseAsync("mouseMoved", bar[0], bar[1], ct);
        await Task.Delay(100, ct);

        // Then the tooltip shows that operation
        var tip = (string?)await browser.EvaluateAsync("(e => e.hidden ? '' : e.textContent)(document.querySelector('.tip'))", ct);
        Assert.Contains("process 0", tip, StringComparison.Ordinal);
        await browser.EvaluateAsync("(t => t.setView(t.m.t0[0] - 2000, t.m.t0[0] + 60000))(window.__harnessReport.timeline)", ct);
        await Task.Delay(100, ct);
        await browser.MouseAsync("mouseMoved", canvas[0] + 300, bar[1], ct);
        var zoomedShot = await ReportPage.ArtifactPathAsync("report-zoomed-hover.png");
        await browser.ScreenshotAsync(zoomedShot, ct);
        output.WriteLine($"screenshot: {zoomedShot}");

        // When a range is dragged across the throughput plot
        var plot = (await browser.EvaluateAsync($"{Rect}(document.querySelector('.plot .u-over'))", ct))!.AsArray().Select(n => (double)n!).ToArray();
        await browser.DragAsync(plot[0] + (plot[2] * 0.2), plot[0] + (plot[2] * 0.4), plot[1] + (plot[3] / 2), ct);
        await Task.Delay(200, ct);

        // Then the timeline shows about a fifth of the run, and no script failed
        var synced = ReportPage.Number(await browser.EvaluateAsync(View, ct));
        Assert.InRange(synced, fullSpan * 0.1, fullSpan * 0.3);
        Assert.Empty(browser.Errors);
    }
}
