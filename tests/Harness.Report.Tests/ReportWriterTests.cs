using Harness.Core;
using Harness.Core.Histories;

namespace Harness.Report.Tests;

public sealed class ReportWriterTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("harness-report-tests-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static string TestData(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", name));

    [Fact]
    public void Should_Embed_Columnar_Ops_That_Decode_To_The_History_When_Writing_A_Run()
    {
        // Given a run with 500 client ops, faults, test.json and results.json
        var history = SampleHistory.Register(500);
        var dir = SampleHistory.WriteRun(Path.Combine(_temp, "results"), "register", "20261122T010000Z", history, TestData("results-valid.json"));

        // When its report is written
        var report = ReportWriter.WriteRun(dir);

        // Then the embedded columns decode to the history's invocations, completions and outcomes
        Assert.Equal(Path.Combine(dir, RunFiles.Report), report);
        var data = ReportHtml.Data(File.ReadAllText(report));
        var ops = data["ops"]!.AsObject();
        var pairs = history.ClientPairs().ToList();
        Assert.Equal(pairs.Count, (int)ops["n"]!);
        Assert.Equal(pairs.Select(p => p.Invoke.TimeNanos / 1000), ReportHtml.Cumulative(ops["t0"]));
        var i0 = ReportHtml.Cumulative(ops["i0"]);
        Assert.Equal(pairs.Select(p => p.Invoke.Index), i0);
        var i1 = ops["i1"]!.AsArray().Select((v, k) => (long)v! == 0 ? -1 : i0[k] + (long)v!);
        Assert.Equal(pairs.Select(p => p.Completion?.Index ?? -1), i1);
        var fs = ops["fs"]!.AsArray().Select(f => (string)f!).ToList();
        Assert.Equal(pairs.Select(p => p.Invoke.F), ops["f"]!.AsArray().Select(f => fs[(int)f!]));
        Assert.Equal(pairs.Select(p => p.Completion!.Type switch { OpType.Ok => 0, OpType.Fail => 1, _ => 2 }), ops["type"]!.AsArray().Select(t => (int)t!));
        Assert.Equal("us", (string?)data["clock"]);
        Assert.Equal(FaultWindows.From(history).Length, data["faults"]!.AsArray().Count);
        Assert.Equal("memory register", (string?)data["title"]);
        Assert.Equal("valid", (string?)data["results"]!["validity"]);
    }

    [Fact]
    public void Should_Embed_The_Lag_Samples_In_Time_Order_When_The_Run_Has_Lag_Jsonl()
    {
        // Given a run with lag.jsonl (n2 detached for a while) and a torn last line
        var history = SampleHistory.Register(300);
        var dir = SampleHistory.WriteRun(Path.Combine(_temp, "results"), "register", "20261122T011000Z", history, TestData("results-valid.json"));
        var samples = SampleHistory.WriteLag(dir, history);
        File.AppendAllText(Path.Combine(dir, RunFiles.Lag), "{\"time\":99,\"no");

        // When its report is written
        var data = ReportHtml.Data(File.ReadAllText(ReportWriter.WriteRun(dir)));

        // Then every sample is there, columnar, in microseconds of the history's clock, with nulls where no figure was
        // reported, and the torn line is a note on the page
        var lag = data["lag"]!.AsObject();
        var nodes = lag["nodes"]!.AsArray().Select(n => (string)n!).ToList();
        Assert.Equal(["n2", "n3"], nodes);
        var t = lag["t"]!.AsArray().Select(v => (long)v!).ToList();
        Assert.Equal(samples.Count, t.Count);
        Assert.Equal(samples.Select(s => s.TimeNanos / 1000).Order(), t);
        var replay = lag["replay_ms"]!.AsArray();
        var bytes = lag["bytes"]!.AsArray();
        var states = lag["states"]!.AsArray().Select(n => (string)n!).ToList();
        var detached = Enumerable.Range(0, t.Count).Where(i => states[(int)lag["state"]![i]!] == "detached").ToList();
        Assert.Equal(samples.Count(s => s.State == "detached"), detached.Count);
        Assert.All(detached, i => Assert.Null(replay[i]));
        Assert.Equal(samples.Max(s => s.BytesBehind), detached.Max(i => (long)bytes[i]!));
        Assert.Contains(data["notes"]!.AsArray(), n => ((string)n!).Contains(RunFiles.Lag, StringComparison.Ordinal));
    }

    [Fact]
    public void Should_Embed_No_Lag_When_The_Run_Has_No_Lag_Jsonl()
    {
        // Given a run written before the harness sampled replication status (no lag.jsonl)
        var dir = SampleHistory.WriteRun(Path.Combine(_temp, "results"), "register", "20261122T012000Z", SampleHistory.Register(100), TestData("results-valid.json"));

        // When its report is written
        var data = ReportHtml.Data(File.ReadAllText(ReportWriter.WriteRun(dir)));

        // Then the data has no lag block (the page draws no lag plot) and no note about it
        Assert.Null(data["lag"]);
        Assert.Empty(data["notes"]!.AsArray());
    }

    [Fact]
    public void Should_Keep_Values_Inside_The_Data_Element_When_They_Contain_Closing_Tags()
    {
        // Given a history whose value is a hostile string
        const string hostile = "</script><script>alert(1)</script><!--";
        var history = new History([
            Operation.Invoke(0, "write", Datum.Of(hostile)) with { TimeNanos = 0 },
            new Operation(OpType.Ok, 0, "write", Datum.Of(hostile)) { TimeNanos = 1000 },
        ]);
        var path = Path.Combine(_temp, "hostile.html");

        // When its report is written
        ReportWriter.Write(new ReportInput { History = history, Title = "<b>title</b>" }, path);

        // Then the page has only its own two script closings, and the value survives the round trip
        var html = File.ReadAllText(path);
        Assert.Equal(2, html.Split("</script>").Length - 1);
        var data = ReportHtml.Data(html);
        Assert.Equal(HistoryJson.DatumToJson(Datum.Of(hostile)), (string?)data["ops"]!["v"]![0]);
        Assert.Equal("<b>title</b>", (string?)data["title"]);
    }

    [Fact]
    public void Should_Use_Event_Order_As_Clock_When_The_History_Has_No_Times()
    {
        // Given an imported history without times
        var history = new History(SampleHistory.Register(50).Select(o => o with { TimeNanos = -1 }));

        // When its report data is built
        var data = ReportHtml.Data(System.Text.Encoding.UTF8.GetString(Render(history)));

        // Then the clock is the event index
        Assert.Equal("index", (string?)data["clock"]);
        Assert.Equal(history.ClientPairs().Select(p => p.Invoke.Index), ReportHtml.Cumulative(data["ops"]!["t0"]));
    }

    private static byte[] Render(History history)
    {
        using var stream = new MemoryStream();
        ReportWriter.Write(new ReportInput { History = history, Title = "t" }, stream);
        return stream.ToArray();
    }

    [Fact]
    public void Should_List_Runs_Newest_First_With_Verdicts_When_Runs_Are_Written_Under_Results()
    {
        // Given two runs under a directory named results, the newer one invalid, and one still running (no results)
        var root = Path.Combine(_temp, "results");
        var older = SampleHistory.WriteRun(root, "register", "20261122T010000Z", SampleHistory.Register(40), TestData("results-valid.json"));
        var newer = SampleHistory.WriteRun(root, "bank", "20261122T020000Z", SampleHistory.Register(40), TestData("results-invalid.json"));
        SampleHistory.WriteRun(root, "set", "20261122T000000Z", SampleHistory.Register(10), null);

        // When reports are written
        ReportWriter.WriteRun(older);
        ReportWriter.WriteRun(newer);

        // Then results/index.html lists them newest first with verdicts and links to the reports
        var index = File.ReadAllText(Path.Combine(root, RunFiles.Index));
        var bank = index.IndexOf("bank/20261122T020000Z/report.html", StringComparison.Ordinal);
        var register = index.IndexOf("register/20261122T010000Z/report.html", StringComparison.Ordinal);
        var set = index.IndexOf("set/20261122T000000Z/history.jsonl", StringComparison.Ordinal);
        Assert.True(bank >= 0 && register > bank && set > register, index);
        Assert.Contains("class=\"v invalid\"", index);
        Assert.Contains("class=\"v valid\"", index);
        Assert.Contains("class=\"v not-checked\"", index);
        Assert.Contains("2 acknowledged writes were lost", index);
        Assert.Equal(root, ReportWriter.FindResultsRoot(newer));
    }

    [Fact]
    public void Should_Not_Write_An_Index_When_The_Run_Is_Not_Under_A_Results_Root()
    {
        // Given a run directory whose grandparent is an ordinary directory
        var dir = SampleHistory.WriteRun(Path.Combine(_temp, "elsewhere"), "t", "r", SampleHistory.Register(20), null);

        // When its report is written
        ReportWriter.WriteRun(dir);

        // Then no index appears there
        Assert.Null(ReportWriter.FindResultsRoot(dir));
        Assert.False(File.Exists(Path.Combine(_temp, "elsewhere", RunFiles.Index)));
    }

    [Fact]
    public void Should_Treat_A_Root_With_A_Latest_Link_As_Results_Root_When_It_Has_Another_Name()
    {
        // Given a run under a custom results directory that has the runner's "latest" link
        var root = Path.Combine(_temp, "custom");
        var dir = SampleHistory.WriteRun(root, "t", "20261122T010000Z", SampleHistory.Register(20), null);
        Directory.CreateSymbolicLink(Path.Combine(root, "latest"), dir);

        // When its report is written
        ReportWriter.WriteRun(dir);

        // Then the index is regenerated there, without listing the link as a run
        Assert.Equal(root, ReportWriter.FindResultsRoot(dir));
        var index = File.ReadAllText(Path.Combine(root, RunFiles.Index));
        Assert.Contains("t/20261122T010000Z/report.html", index);
        Assert.DoesNotContain("latest/", index);
    }

    [Fact]
    public void Should_Show_A_Note_When_Results_Json_Is_Corrupt()
    {
        // Given a run whose results.json is truncated
        var dir = SampleHistory.WriteRun(Path.Combine(_temp, "x"), "t", "r", SampleHistory.Register(20), "{\"checker\": ");

        // When its report is written
        var data = ReportHtml.Data(File.ReadAllText(ReportWriter.WriteRun(dir)));

        // Then the verdict is unknown with a summary that says why
        Assert.Equal("unknown", (string?)data["results"]!["validity"]);
        Assert.StartsWith("results.json is not valid JSON", (string?)data["results"]!["summary"], StringComparison.Ordinal);
    }

    [Fact]
    public void Should_Report_The_Readable_Events_With_A_Note_When_The_Last_Line_Is_Truncated()
    {
        // Given a run that crashed while writing the history's last line
        var dir = SampleHistory.WriteRun(Path.Combine(_temp, "crash"), "t", "r", SampleHistory.Register(20), null);
        var historyPath = Path.Combine(dir, RunFiles.History);
        var lines = File.ReadAllLines(historyPath);
        File.WriteAllText(historyPath, string.Join('\n', lines[..^1]) + "\n" + lines[^1][..10]);

        // When its report is written
        var data = ReportHtml.Data(File.ReadAllText(ReportWriter.WriteRun(dir)));

        // Then it holds every complete line and says what was cut
        Assert.Equal(lines.Length - 1, (int)data["events"]!);
        var note = (string?)Assert.Single(data["notes"]!.AsArray());
        Assert.StartsWith($"{historyPath}:{lines.Length}: warning: the last line is cut short", note, StringComparison.Ordinal);
        Assert.Contains($"kept the {lines.Length - 1} operations before it", note, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_Refuse_With_The_Line_When_A_Middle_Line_Is_Unreadable()
    {
        // Given a run whose history has a damaged line 3 and good lines after it
        var dir = SampleHistory.WriteRun(Path.Combine(_temp, "damaged"), "t", "r", SampleHistory.Register(20), null);
        var historyPath = Path.Combine(dir, RunFiles.History);
        var lines = File.ReadAllLines(historyPath);
        lines[2] = lines[2][..10];
        File.WriteAllLines(historyPath, lines);

        // When its report is written
        var e = Assert.Throws<HistoryFormatException>(() => ReportWriter.WriteRun(dir));

        // Then the error names the file and the line, instead of silently dropping everything after it
        Assert.Equal((historyPath, 3L), (e.File, e.Line));
    }

    [Fact]
    public void Should_Write_A_Report_When_The_History_Is_Empty()
    {
        // Given an empty history
        var path = Path.Combine(_temp, "empty.html");

        // When its report is written
        ReportWriter.Write(new ReportInput { History = History.Empty, Title = "empty" }, path);

        // Then the data says there are no operations and no faults
        var data = ReportHtml.Data(File.ReadAllText(path));
        Assert.Equal(0, (int)data["ops"]!["n"]!);
        Assert.Empty(data["faults"]!.AsArray());
    }

    [Fact]
    public void Should_Throw_A_User_Error_When_The_Run_Has_No_History()
    {
        // Given an empty directory
        var dir = Directory.CreateDirectory(Path.Combine(_temp, "empty")).FullName;

        // When / Then
        var e = Assert.Throws<UserErrorException>(() => ReportWriter.WriteRun(dir));
        Assert.Contains("history.jsonl", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("results-valid.json")]
    [InlineData("results-invalid.json")]
    public void Should_Reference_Only_Client_Ops_Of_The_Sample_History_When_Using_Test_Data(string file)
    {
        // Given the sample results and the history they were written for
        var history = SampleHistory.Register(300);
        var results = Harness.Core.Checking.CheckResultJson.Deserialize(TestData(file));

        // When every anomaly's ops are collected
        var all = new List<long>();
        void Walk(Harness.Core.Checking.CheckResult r)
        {
            foreach (var a in r.Anomalies) all.AddRange(a.Ops);
            foreach (var c in r.Children) Walk(c);
        }
        Walk(results);

        // Then each is a client operation of the history
        Assert.All(all, i => Assert.True(history[(int)i].IsClient, $"op {i} is not a client op"));
    }
}
