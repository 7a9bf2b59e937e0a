using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Core.Histories;
using Harness.Report;
using Harness.Report.Tests;
using Harness.Report.Tests.Browser;

namespace Harness.Bench;

/// <summary>
/// <c>report [--ops N] [--runs N] [--skip-browser] [--screenshot F.png]</c>: a generated run of N client operations (default 100,000;
/// register workload, partitions and kills, results.json with linearizability, cycle and lost-write anomalies):
/// (a) <see cref="ReportWriter.WriteRun(string)"/> wall clock (read history.jsonl + results + write report.html);
/// (b) in headless chromium: time from navigation start to the timeline's first draw, to the whole page ready
/// (anomalies and plots), and one full timeline redraw.
/// </summary>
internal static class ReportBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var ops = IntArg(args, "--ops", 100_000);
        var runs = IntArg(args, "--runs", 3);
        var root = Directory.CreateTempSubdirectory("harness-report-bench-").FullName;
        try
        {
            var history = SampleHistory.Register(ops, seed: 11);
            var dir = SampleHistory.WriteRun(Path.Combine(root, "results"), "register", "20261122T030000Z", history, Results(history).ToJsonString());
            Console.WriteLine($"history: {ops:N0} client ops, {history.Count:N0} events, {new FileInfo(Path.Combine(dir, RunFiles.History)).Length / 1e6:F1} MB");

            var times = new List<double>();
            for (var i = 0; i <= runs; i++)
            {
                var sw = Stopwatch.StartNew();
                ReportWriter.WriteRun(dir);
                sw.Stop();
                if (i > 0) times.Add(sw.Elapsed.TotalSeconds); // the first run warms up the JIT
            }
            var read = new List<double>();
            for (var i = 0; i < runs; i++)
            {
                var sw = Stopwatch.StartNew();
                _ = HistoryJson.ReadFile(Path.Combine(dir, RunFiles.History));
                read.Add(sw.Elapsed.TotalSeconds);
            }
            var report = Path.Combine(dir, RunFiles.Report);
            Console.WriteLine($"generate report.html ({new FileInfo(report).Length / 1e6:F1} MB): best {times.Min():F2} s, median {Median(times):F2} s over {runs} runs (after 1 warm-up); of which reading history.jsonl: median {Median(read):F2} s");

            if (args.Contains("--skip-browser")) return 0;
            if (HeadlessChromium.Find() is null)
            {
                Console.Error.WriteLine("chromium is not installed (apt-get install -y chromium); skipping the browser figures");
                return 2;
            }
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            await using var browser = await HeadlessChromium.LaunchAsync(1400, 1000, cts.Token);
            var drawn = new List<double>();
            var ready = new List<double>();
            var redraw = new List<double>();
            for (var i = 0; i <= runs; i++)
            {
                await browser.NavigateAsync(new Uri(report).AbsoluteUri, cts.Token);
                if (!await browser.WaitForAsync(ReportPage.Ready, TimeSpan.FromSeconds(60), cts.Token))
                {
                    Console.Error.WriteLine($"the page never became ready: {string.Join(" | ", browser.Errors)}");
                    return 1;
                }
                if (i == 0) continue; // warm-up: disk cache, chromium start
                drawn.Add(ReportPage.Number(await browser.EvaluateAsync(ReportPage.TimelineDrawnAt, cts.Token)) / 1000);
                ready.Add(ReportPage.Number(await browser.EvaluateAsync("window.__harnessReport.readyAt", cts.Token)) / 1000);
                redraw.Add(ReportPage.Number(await browser.EvaluateAsync(
                    "(() => { const t = window.__harnessReport.timeline; const a = performance.now(); t.draw(); return performance.now() - a; })()", cts.Token)));
            }
            if (args.SkipWhile(a => a != "--screenshot").Skip(1).FirstOrDefault() is { } shot)
            {
                await browser.ScreenshotAsync(shot, cts.Token);
                Console.WriteLine($"screenshot: {shot}");
            }
            if (browser.Errors.Count > 0)
            {
                Console.Error.WriteLine($"script errors: {string.Join(" | ", browser.Errors)}");
                return 1;
            }
            Console.WriteLine($"chromium, navigation start -> timeline drawn: best {drawn.Min():F2} s, median {Median(drawn):F2} s");
            Console.WriteLine($"chromium, navigation start -> page ready (anomalies, plots): best {ready.Min():F2} s, median {Median(ready):F2} s");
            Console.WriteLine($"chromium, full timeline redraw ({ops:N0} ops in view): median {Median(redraw):F0} ms");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>A results.json with one anomaly of each drawn kind, on ops of the generated history.</summary>
    private static JsonObject Results(History history)
    {
        var invokes = history.ClientPairs().Where(p => p.Completion is { IsOk: true }).Select(p => p.Invoke).ToList();
        var key0 = invokes.Where(o => o.Value?.Get("key")?.AsLong() == 0).Select(o => o.Index).ToList();
        static JsonArray Ints(IEnumerable<long> xs) => [.. xs.Select(x => (JsonNode)x)];
        var lost = new JsonArray();
        foreach (var op in invokes.Where(o => o.F == "write").Take(100))
            lost.Add(new JsonObject { ["element"] = op.Index, ["add_op"] = op.Index, ["ack_time"] = history.Partner(op)!.TimeNanos });
        var cycle = new JsonArray();
        var txns = invokes.Skip(500).Take(4).Select(o => o.Index).ToList();
        string[] edges = ["ww", "wr", "rw", "realtime"];
        for (var i = 0; i < txns.Count; i++)
            cycle.Add(new JsonObject { ["op"] = txns[i], ["txn"] = $"txn {txns[i]}", ["edge"] = edges[i], ["to"] = txns[(i + 1) % txns.Count], ["why"] = "generated" });
        JsonObject Child(string checker, string type, JsonObject data, IEnumerable<long> opIds) => new()
        {
            ["checker"] = checker, ["valid"] = false, ["validity"] = "invalid", ["summary"] = $"{type} (generated)",
            ["anomalies"] = new JsonArray(new JsonObject { ["type"] = type, ["explanation"] = "generated for the benchmark", ["ops"] = Ints(opIds), ["data"] = data }),
        };
        return new JsonObject
        {
            ["checker"] = "register", ["valid"] = false, ["validity"] = "invalid", ["summary"] = "generated anomalies",
            ["children"] = new JsonArray(
                Child("linearizability", "nonlinearizable", new JsonObject
                {
                    ["key"] = 0, ["prefix"] = Ints(key0.Take(2000)), ["stuck"] = Ints(key0.Skip(2000).Take(1)), ["state"] = 3, ["partition_ops"] = Ints(key0),
                }, key0.Skip(2000).Take(1)),
                Child("elle", "G-single", new JsonObject { ["cycle"] = cycle, ["anomaly"] = "G-single" }, txns),
                Child("set", "lost-write", new JsonObject { ["lost"] = lost }, lost.Select(l => (long)l!["add_op"]!))),
        };
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count == 0 ? double.NaN : s.Count % 2 == 1 ? s[s.Count / 2] : (s[(s.Count / 2) - 1] + s[s.Count / 2]) / 2;
    }

    private static int IntArg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
