using Harness.Checkers.Cycles;
using Harness.Checkers.Linearizability;
using Harness.Core.Checking;
using Harness.Core.Histories.Formats;
using Xunit.Abstractions;

namespace Harness.Report.Tests.Browser;

/// <summary>Reports of external histories with known anomalies, checked by the real checkers, open in chromium.</summary>
public sealed class CheckerReportBrowserTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("harness-report-checkers-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string TestData(string path) => Path.Combine(AppContext.BaseDirectory, "TestData", path);

    [ChromiumFact]
    public async Task Should_Show_The_Checkers_Own_Anomalies_When_Opening_Reports_Of_Bad_External_Histories()
    {
        ChromiumFactAttribute.Require();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ct = cts.Token;
        // Given a non-linearizable Knossos history and the Elle paper's G-single, each checked by the harness's checkers
        var knossos = HistoryFiles.Read(TestData("knossos/data/cas-register/bad/rethink-fail-smaller.edn"));
        var lin = new LinearizabilityChecker(LinearizabilityModels.ByName("cas-register")).Check(knossos, ct);
        var elle = HistoryFiles.Read(TestData("elle/histories/paper-example.edn"));
        var cycles = new ListAppendChecker(ConsistencyModels.Serializable).Check(elle, ct);
        Assert.Equal((Validity.Invalid, Validity.Invalid), (lin.Validity, cycles.Validity));
        var linReport = Path.Combine(_root, "knossos.html");
        var elleReport = Path.Combine(_root, "elle.html");
        ReportWriter.Write(new ReportInput { History = knossos, Title = "rethink-fail-smaller.edn", Results = lin }, linReport);
        ReportWriter.Write(new ReportInput { History = elle, Title = "paper-example.edn", Results = cycles }, elleReport);

        // When chromium opens both reports
        await using var browser = await HeadlessChromium.LaunchAsync(1400, 1000, ct);
        var kinds = new List<string?>();
        foreach (var (report, shot) in new[] { (linReport, "report-knossos-lin.png"), (elleReport, "report-elle-cycle.png") })
        {
            await browser.NavigateAsync(new Uri(report).AbsoluteUri, ct);
            Assert.True(await browser.WaitForAsync(ReportPage.Ready, TimeSpan.FromSeconds(60), ct), string.Join(" | ", browser.Errors));
            var path = await ReportPage.ArtifactPathAsync(shot);
            await browser.ScreenshotAsync(path, ct);
            output.WriteLine($"screenshot: {path}");
            Assert.True(ReportPage.Number(await browser.EvaluateAsync(ReportPage.OkPixels, ct)) > 0, $"{report}: no bars on the timeline");
            kinds.AddRange((await browser.EvaluateAsync(ReportPage.AnomalyKinds, ct))!.AsArray().Select(k => (string?)k));
        }

        // Then the linearizability view and the cycle graph are drawn, without script errors
        Assert.Empty(browser.Errors);
        Assert.Contains("linearizability", kinds);
        Assert.Contains("cycle", kinds);
        Assert.True(ReportPage.Number(await browser.EvaluateAsync("document.querySelectorAll('svg.cycle g.txn').length", ct)) >= 2);
    }
}
