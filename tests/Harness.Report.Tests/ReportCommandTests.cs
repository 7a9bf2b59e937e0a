using Harness.Cli;
using Harness.Core.Histories;

namespace Harness.Report.Tests;

public sealed class ReportCommandTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("harness-report-cli-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("[\n", "]")]
    [InlineData("{:a\n", "}")]
    public async Task Should_Exit_254_With_One_Line_When_An_Edn_File_Nests_Too_Deeply(string start, string end)
    {
        // Given an EDN history nested 30,000 levels deep on its second line (a stack overflow when read recursively)
        var file = Path.Combine(_temp, "deep.edn");
        await File.WriteAllTextAsync(file, start + new string('[', 30_000) + new string(']', 30_000) + end);

        // When a report is asked of it
        var (code, _, stderr) = await RunAsync("report", file, "--out", Path.Combine(_temp, "deep.html"));

        // Then one line names the file and line, exit 254, and no report was written
        Assert.Equal(254, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("deep.edn:2: values nested more than", line, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_temp, "deep.html")));
    }

    [Fact]
    public async Task Should_Write_Report_And_Index_When_Given_A_Run_Directory()
    {
        // Given a run under results/
        var root = Path.Combine(_temp, "results");
        var dir = SampleHistory.WriteRun(root, "register", "20261122T010000Z", SampleHistory.Register(30), null);

        // When harness report runs on it
        var (code, stdout, stderr) = await RunAsync("report", dir);

        // Then it exits 0, says where it wrote, and the report and index exist
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Equal($"wrote {Path.Combine(dir, RunFiles.Report)}", stdout.Trim());
        Assert.True(File.Exists(Path.Combine(root, RunFiles.Index)));
    }

    [Fact]
    public async Task Should_Write_Beside_The_File_Or_To_Out_When_Given_A_History_File()
    {
        // Given a history file outside any run, and a results file
        var file = Path.Combine(_temp, "imported.jsonl");
        HistoryJson.WriteFile(file, SampleHistory.Register(30));
        var results = Path.Combine(AppContext.BaseDirectory, "TestData", "results-invalid.json");
        var output = Path.Combine(_temp, "out", "r.html");

        // When harness report runs with and without --out
        var (code1, _, _) = await RunAsync("report", file);
        var (code2, _, _) = await RunAsync("report", file, "--out", output, "--results", results, "--format", "jsonl");

        // Then both reports exist and the second embeds the given results
        Assert.Equal((0, 0), (code1, code2));
        Assert.True(File.Exists(Path.Combine(_temp, "imported.report.html")));
        Assert.Equal("invalid", (string?)ReportHtml.Data(File.ReadAllText(output))["results"]!["validity"]);
    }

    [Fact]
    public async Task Should_Warn_On_Stderr_When_The_Last_Line_Is_Torn()
    {
        // Given a run killed while writing the last line of its history
        var dir = SampleHistory.WriteRun(Path.Combine(_temp, "results"), "register", "20261122T010000Z", SampleHistory.Register(10), null);
        var history = Path.Combine(dir, RunFiles.History);
        var text = File.ReadAllText(history).TrimEnd('\n');
        File.WriteAllText(history, text[..^5]);

        // When harness report runs on the directory and on the file
        var (code1, _, stderr1) = await RunAsync("report", dir);
        var (code2, _, stderr2) = await RunAsync("report", history, "--out", Path.Combine(_temp, "r.html"));

        // Then both write the report and say once which line was skipped
        Assert.Equal((0, 0), (code1, code2));
        var lines = text.Split('\n').Length;
        Assert.StartsWith($"harness: {history}:{lines}: warning: the last line is cut short", Assert.Single(stderr1.Trim().Split('\n')), StringComparison.Ordinal);
        Assert.Equal(stderr1, stderr2);
    }

    [Theory]
    [InlineData("out-is-a-directory", "it is a directory; pass a file name")]
    [InlineData("out-under-a-file", "pass --out with a file you can write")]
    [InlineData("serve-unwritable", "/proc/self/index.html: ")]
    public async Task Should_Print_One_Line_And_Exit_254_When_An_Output_Cannot_Be_Written(string kind, string expected)
    {
        // Given a history, a directory, and a regular file
        var history = Path.Combine(_temp, "h.jsonl");
        HistoryJson.WriteFile(history, SampleHistory.Register(10));
        var plain = Path.Combine(_temp, "plain");
        await File.WriteAllTextAsync(plain, "");

        // When the report goes to the directory or below the file, or serve gets a directory it cannot write (/proc)
        var (code, stdout, stderr) = kind switch
        {
            "out-is-a-directory" => await RunAsync("report", history, "-o", _temp),
            "out-under-a-file" => await RunAsync("report", history, "-o", Path.Combine(plain, "r.html")),
            _ => await RunAsync("serve", "--dir", "/proc/self", "--port", "1"),
        };

        // Then one line says what cannot be written and how to fix it, exit 254 (not a crash)
        Assert.Equal(CliApp.ExitBadInput, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Trim().Split('\n'));
        Assert.StartsWith("harness: cannot write ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_temp, "*.tmp"));
    }

    [Theory]
    [InlineData("missing-dir", "does not exist")]
    [InlineData("notes.txt", "cannot tell the history format")]
    public async Task Should_Print_One_Line_And_Exit_254_When_The_Input_Is_Bad(string name, string expected)
    {
        // Given a missing path or a file of unknown format
        var path = Path.Combine(_temp, name);
        if (name.EndsWith(".txt", StringComparison.Ordinal)) await File.WriteAllTextAsync(path, "hello");

        // When harness report runs on it
        var (code, _, stderr) = await RunAsync("report", path);

        // Then it prints one line saying what is wrong
        Assert.Equal(CliApp.ExitBadInput, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("porcupine/test_data/jepsen/etcd_097.log", "index")]
    [InlineData("knossos/data/cas-register/bad/rethink-fail-smaller.edn", "us")]
    public async Task Should_Read_Imported_Formats_When_Given_External_Histories(string file, string clock)
    {
        // Given an external history copied beside the test
        var path = Path.Combine(_temp, Path.GetFileName(file));
        File.Copy(Path.Combine(AppContext.BaseDirectory, "TestData", file), path);

        // When harness report runs on it with format detection
        var (code, _, stderr) = await RunAsync("report", path);

        // Then a report with its operations is written beside it
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        var data = ReportHtml.Data(File.ReadAllText(Path.ChangeExtension(path, ".report.html")));
        Assert.True((int)data["ops"]!["n"]! > 10);
        Assert.Equal(clock, (string?)data["clock"]);
    }
}
