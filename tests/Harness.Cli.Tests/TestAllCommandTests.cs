using System.Text.Json.Nodes;
using Harness.Cli.Commands;
using Harness.Testing;

namespace Harness.Cli.Tests;

public sealed class TestAllCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("harness-test-all-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Results => Path.Combine(_dir, "results");

    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Should_Find_Each_Planted_Bug_And_Exit_1_With_A_Summary_And_Valid_JUnit_When_A_Memory_Matrix_Runs()
    {
        // Given a YAML matrix: the memory database without and with each planted bug, on the workload that shows it
        var matrix = Path.Combine(_dir, "matrix.yml");
        await File.WriteAllTextAsync(matrix, """
            # without and with each bug
            args: [--time-limit, 2, --rate, 300, --recovery-time, 0, --seed, 7]
            tests:
              - database: memory
                workload: set
                bug: [none, lost-write]
              - database: memory
                workload: register
                bug: [none, stale-read]
              - [memory, --workload, bank]
              - memory --workload bank --bug bad-transfer
            """);
        var junit = Path.Combine(_dir, "out", "junit.xml");

        // When test-all runs it with --junit and --json
        var (exit, output, error) = await RunAsync("test-all", "--file", matrix, "--results", Results, "--junit", junit, "--json");

        // Then: exit 1 (some invalid); one JSON line per test on stdout, in order, with the verdicts expected
        Assert.True(exit == 1, $"exit {exit}\n{output}\n{error}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(["valid", "invalid", "valid", "invalid", "valid", "invalid"], lines.Select(l => (string)l["verdict"]!));
        Assert.Equal(["memory-set", "memory-set", "memory-register", "memory-register", "memory-bank", "memory-bank"], lines.Select(l => (string)l["test"]!));
        Assert.All(lines.Where(l => (string)l["verdict"]! == "invalid"), l => Assert.True((int)l["anomalies"]! > 0));
        Assert.All(lines, l => Assert.True(File.Exists((string)l["report"]!)));

        // and the human output (on stderr with --json): progress lines and the summary table
        Assert.Contains("[1/6 ", error, StringComparison.Ordinal);
        var table = error[error.IndexOf("test ", error.IndexOf("\n\n", StringComparison.Ordinal), StringComparison.Ordinal)..];
        Assert.Matches(@"test\s+run\s+verdict\s+anomalies\s+duration\s+report", table);
        Assert.Matches(@"memory --workload set --bug lost-write --time-limit 2 --rate 300 --recovery-time 0 --seed 7\s+1\s+invalid\s+[1-9]\d*\s+\d+\.\ds\s+\S+report\.html", table);
        Assert.Contains("harness: test-all: 3 valid, 3 invalid, 0 unknown", error, StringComparison.Ordinal);

        // and the JUnit XML is valid against the schema: one testcase per test, a failure for each invalid one
        var doc = JUnitSchema.Valid(junit);
        var cases = doc.Descendants("testcase").ToList();
        Assert.Equal(6, cases.Count);
        Assert.All(cases, c => Assert.Equal("memory", (string?)c.Attribute("classname")));
        Assert.Equal(3, cases.Count(c => c.Element("failure") is not null));
        Assert.DoesNotContain(cases, c => c.Element("error") is not null);
        Assert.Contains("lost", (string?)cases[1].Element("failure")!.Attribute("message") ?? "", StringComparison.OrdinalIgnoreCase);
        Assert.All(cases, c => Assert.Contains("run directory: " + Results, c.Element("system-out")!.Value, StringComparison.Ordinal));
        Assert.Equal("3", (string?)doc.Root!.Element("testsuite")!.Attribute("failures"));

        // and matrix.json and the results index show the matrix as a grid
        var record = JsonNode.Parse(await File.ReadAllTextAsync(Directory.GetFiles(Path.Combine(Results, "matrices"), "matrix.json", SearchOption.AllDirectories).Single()))!;
        Assert.Equal(1, (int)record["exit"]!);
        Assert.Equal(6, record["tests"]!.AsArray().Count);
        var index = await File.ReadAllTextAsync(Path.Combine(Results, "index.html"));
        Assert.Contains("matrix runs", index, StringComparison.Ordinal);
        Assert.Contains("<table class=\"grid\">", index, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_Report_Unknown_With_The_Reason_And_Run_The_Others_When_A_Test_Is_Refused_Or_Exceeds_Its_Budget()
    {
        // Given three tests in JSON: one that cannot store itself (results/memory-bank is a plain file), one far
        // longer than its 1 s budget, and a short valid one
        Directory.CreateDirectory(Results);
        await File.WriteAllTextAsync(Path.Combine(Results, "memory-bank"), "");
        var matrix = Path.Combine(_dir, "matrix.json");
        await File.WriteAllTextAsync(matrix, """
            { "tests": [
                "memory --workload bank --time-limit 1",
                { "database": "memory", "workload": "register", "time-limit": 120, "budget": 1 },
                ["memory", "--workload", "set", "--time-limit", "1", "--recovery-time", "0"] ] }
            """);
        var junit = Path.Combine(_dir, "junit.xml");

        // When
        var (exit, output, error) = await RunAsync("test-all", "-f", matrix, "--results", Results, "--junit", junit);

        // Then the worst is unknown (2), each unknown says why, and the valid one still ran
        Assert.True(exit == 2, $"exit {exit}\n{output}\n{error}");
        Assert.Contains("harness: test-all: 1 valid, 0 invalid, 2 unknown", output, StringComparison.Ordinal);
        Assert.Matches(@"\[1/3\] unknown in [\d.]+s: memory --workload bank --time-limit 1: cannot create the run directory", output);
        Assert.Matches(@"\[2/3\] unknown in [\d.]+s: memory --workload register --time-limit 120: exceeded its budget of 1s", output);
        Assert.Matches(@"\[3/3\] valid ", output);
        var cases = JUnitSchema.Valid(junit).Descendants("testcase").ToList();
        Assert.Equal(["unknown", "unknown"], cases.Take(2).Select(c => (string?)c.Element("error")?.Attribute("type")));
        Assert.Contains("exceeded its budget of 1s", cases[1].Element("error")!.Value, StringComparison.Ordinal);
        Assert.Null(cases[2].Element("error"));
    }

    [Fact]
    public async Task Should_Report_Unknown_With_Why_It_Crashed_And_Run_The_Others_When_A_Test_Crashes()
    {
        // Given a matrix whose first test loses the use of its run directory while it runs: as soon as its history
        // file exists, its phases.txt (to which the runner appends "main" when the main phase ends) is replaced by a
        // directory, so the runner's write fails with a real I/O error in the middle of the run
        var matrix = Path.Combine(_dir, "matrix.yml");
        await File.WriteAllTextAsync(matrix, """
            tests:
              - memory --workload register --time-limit 3 --recovery-time 0
              - memory --workload set --time-limit 1 --recovery-time 0
            """);
        var junit = Path.Combine(_dir, "junit.xml");
        using var stop = new CancellationTokenSource();
        var sabotage = Task.Run(async () =>
        {
            var tests = Path.Combine(Results, "memory-register");
            while (!stop.IsCancellationRequested)
            {
                var run = Directory.Exists(tests) ? Directory.EnumerateDirectories(tests).FirstOrDefault(d => Path.GetFileName(d) != "latest") : null;
                if (run is not null && File.Exists(Path.Combine(run, "history.jsonl")))
                {
                    File.Delete(Path.Combine(run, "phases.txt"));
                    Directory.CreateDirectory(Path.Combine(run, "phases.txt"));
                    return true;
                }
                await Task.Delay(5);
            }
            return false;
        });

        // When
        var (exit, output, error) = await RunAsync("test-all", "--file", matrix, "--results", Results, "--junit", junit, "--json");
        await stop.CancelAsync();
        Assert.True(await sabotage, "the first test's run directory never appeared");

        // Then the crashed test is unknown with the reason, the other one still ran, and the worst is unknown (2)
        Assert.True(exit == 2, $"exit {exit}\n{output}\n{error}");
        Assert.Matches(@"\[1/2\] unknown in [\d.]+s: memory --workload register --time-limit 3 --recovery-time 0: the run crashed: \w+Exception: .*phases\.txt", error);
        Assert.Matches(@"\[2/2\] valid ", error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(["unknown", "valid"], lines.Select(l => (string)l["verdict"]!));
        Assert.StartsWith("the run crashed: ", (string)lines[0]["reason"]!, StringComparison.Ordinal);
        var cases = JUnitSchema.Valid(junit).Descendants("testcase").ToList();
        Assert.Equal("unknown", (string?)cases[0].Element("error")?.Attribute("type"));
        Assert.Contains("the run crashed: ", cases[0].Element("error")!.Value, StringComparison.Ordinal);
        Assert.Null(cases[1].Element("error"));
    }

    [Theory]
    [InlineData("--test", "memory --workload set --time-limit 1", "--test", "memory --bug slow", "test 2 (memory --bug slow): --bug: unknown value 'slow'")]
    [InlineData("--test", "memory --time-limit 1", "--test", "mongo --workload set", "unknown database 'mongo'")]
    [InlineData("--test", "memory --time-limit 1", "--test", "memory --replication sync", "test 2 (memory --replication sync): Unrecognized command or argument '--replication'")]
    [InlineData("--test", "memory --time-limit 1", "--test", "memory --results elsewhere", "give --results to test-all, not to one test")]
    [InlineData("--database", "memory", "--vary", "bug", "--vary expects NAME=VALUE")]
    [InlineData("--test", "memory --time-limit 1", "--database", "memory --nodes 10", "unknown database 'memory --nodes 10'")]
    [InlineData("--database", "memory", "--vary", "nodes=10", "test 1 (memory --nodes 10): --nodes must be between 1 and 9")]
    public async Task Should_Exit_254_Before_Any_Test_Ran_When_A_Test_Is_Bad(string a, string b, string c, string d, string expected)
    {
        // Given / When a matrix whose later test is bad
        var (exit, output, error) = await RunAsync("test-all", a, b, c, d, "--results", Results);

        // Then nothing ran: one line, exit 254, no results directory
        Assert.Equal(254, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("", output);
        Assert.False(Directory.Exists(Results));
    }

    [Fact]
    public async Task Should_Combine_The_Flags_And_Repeat_Each_Test()
    {
        // Given / When the cross product from flags, twice each, with arguments for every test after --
        var (exit, output, error) = await RunAsync("test-all", "--database", "memory", "--workload", "set", "--vary", "bug=none", "--vary", "bug=lost-write",
            "--repeat", "2", "--results", Results, "--json", "--", "--time-limit", "1", "--recovery-time", "0", "--rate", "300");

        // Then four runs: two valid, two invalid
        Assert.True(exit == 1, $"exit {exit}\nstdout: {output}\nstderr: {error}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal([(1, "valid"), (2, "valid"), (1, "invalid"), (2, "invalid")], lines.Select(l => ((int)l["repetition"]!, (string)l["verdict"]!)));
        Assert.Equal(["memory", "--workload", "set", "--bug", "lost-write", "--time-limit", "1", "--recovery-time", "0", "--rate", "300"], lines[2]["args"]!.AsArray().Select(a => (string)a!));
    }

    [Fact]
    public async Task Should_Write_JUnit_And_One_Json_Line_When_A_Single_Test_Asks()
    {
        // Given / When
        var junit = Path.Combine(_dir, "one.xml");
        var (exit, output, error) = await RunAsync("test", "memory", "--workload", "set", "--bug", "lost-write", "--time-limit", "1",
            "--rate", "300", "--seed", "7", "--results", Results, "--junit", junit, "--json");

        // Then stdout is one JSON object, the human lines are on stderr, and the JUnit XML has one failure
        Assert.True(exit == 1, $"exit {exit}\nstdout: {output}\nstderr: {error}");
        var line = JsonNode.Parse(Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)))!;
        Assert.Equal("invalid", (string)line["verdict"]!);
        Assert.Equal(1, (int)line["exit"]!);
        Assert.Contains("harness: invalid:", error, StringComparison.Ordinal);
        var testcase = Assert.Single(JUnitSchema.Valid(junit).Descendants("testcase"));
        Assert.Equal("memory-set (memory --workload set --bug lost-write --time-limit 1 --rate 300 --seed 7)", (string?)testcase.Attribute("name"));
        Assert.NotNull(testcase.Element("failure"));
    }

    [Fact]
    public void Should_Keep_Outcomes_Valid_XML_When_A_Summary_Holds_Control_Characters()
    {
        // Given an unknown outcome whose reason holds characters XML cannot carry
        var outcome = new TestOutcome
        {
            Test = "t", Database = "memory", Args = ["memory"], Verdict = Core.Checking.Validity.Unknown, Summary = "bad \u0001 byte",
            Reason = "crash \u0000 here", Duration = TimeSpan.FromSeconds(1.5),
        };
        var path = Path.Combine(_dir, "ctl.xml");

        // When / Then
        JUnitXml.Write(path, "s", [outcome], DateTimeOffset.UtcNow);
        Assert.Equal("crash  here", JUnitSchema.Valid(path).Descendants("error").Single().Value);
    }

    [Fact]
    public void Should_Rank_Invalid_Over_Unknown_Over_Valid()
    {
        static TestOutcome O(Core.Checking.Validity v) => new()
        {
            Test = "t", Database = "memory", Args = ["memory"], Verdict = v, Summary = "", Duration = TimeSpan.Zero,
        };
        Assert.Equal(0, TestAllCommand.Worst([O(Core.Checking.Validity.Valid)]));
        Assert.Equal(2, TestAllCommand.Worst([O(Core.Checking.Validity.Valid), O(Core.Checking.Validity.Unknown)]));
        Assert.Equal(1, TestAllCommand.Worst([O(Core.Checking.Validity.Unknown), O(Core.Checking.Validity.Invalid), O(Core.Checking.Validity.Valid)]));
    }
}
