using System.Globalization;
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Harness.Cli.Tests;

public sealed class CheckCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("harness-check-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Valid = """
        {"index":0,"type":"invoke","process":0,"f":"write","value":1,"time":1}
        {"index":1,"type":"ok","process":0,"f":"write","value":1,"time":2}
        {"index":2,"type":"invoke","process":1,"f":"read","value":null,"time":3}
        {"index":3,"type":"ok","process":1,"f":"read","value":1,"time":4}
        """;

    private const string Invalid = """
        {"index":0,"type":"invoke","process":0,"f":"write","value":1,"time":1}
        {"index":1,"type":"ok","process":0,"f":"write","value":1,"time":2}
        {"index":2,"type":"invoke","process":1,"f":"read","value":null,"time":3}
        {"index":3,"type":"ok","process":1,"f":"read","value":2,"time":4}
        """;

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Should_PrintOneLineAndExit0_When_TheHistoryIsLinearizable()
    {
        // Given a valid register history
        var path = Write("ok.jsonl", Valid);
        // When checking it
        var (exit, stdout, stderr) = await RunAsync("check", path, "--model", "register");
        // Then one line says valid and the exit code is 0
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        var line = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"{path}: valid: linearizable", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_ExplainAndExit1_When_AnyFileIsNotLinearizable()
    {
        // Given one valid and one invalid history
        var ok = Write("ok.jsonl", Valid);
        var bad = Write("bad.jsonl", Invalid);
        // When checking both
        var (exit, stdout, _) = await RunAsync("check", ok, bad, "--model", "register");
        // Then both get a verdict line, the invalid one with its explanation, and the exit code is 1
        Assert.Equal(1, exit);
        Assert.Contains($"{ok}: valid:", stdout, StringComparison.Ordinal);
        Assert.Contains($"{bad}: invalid: not linearizable", stdout, StringComparison.Ordinal);
        Assert.Contains("#2 p1 read -> 2 (ok)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_Exit2_When_TheCheckTimesOut()
    {
        // Given 40 concurrent writes and an impossible read (an exponential search)
        var lines = new List<string>();
        for (var p = 0; p < 40; p++) lines.Add($$"""{"type":"invoke","process":{{p}},"f":"write","value":{{p}}}""");
        lines.Add("""{"type":"invoke","process":99,"f":"read","value":null}""");
        for (var p = 0; p < 40; p++) lines.Add($$"""{"type":"ok","process":{{p}},"f":"write","value":{{p}}}""");
        lines.Add("""{"type":"ok","process":99,"f":"read","value":1000}""");
        var path = Write("hard.jsonl", string.Join('\n', lines));
        // When checking it with a 0.2 s timeout
        var (exit, stdout, _) = await RunAsync("check", path, "--model", "register", "--timeout", "0.2");
        // Then the verdict is unknown and the exit code 2
        Assert.Equal(2, exit);
        Assert.Contains(": unknown: timed out", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_Hold_The_Memory_Budget_As_Process_Memory_When_A_Key_Is_Pathological()
    {
        // Given 4 keys, each with 14 overlapping appends of distinct values and then a get no order of them produces
        // (a factorial search whose memo would grow without end), searched at once (--all-keys)
        var lines = new List<string>();
        void Add(string type, int process, string f, string key, string? value) => lines.Add(new JsonObject
        {
            ["type"] = type, ["process"] = process, ["f"] = f, ["value"] = new JsonObject { ["key"] = key, ["value"] = value },
        }.ToJsonString());
        for (var (k, p) = (0, 0); k < 4; k++, p += 14)
        {
            for (var i = p; i < p + 14; i++) Add("invoke", i, "append", $"k{k}", $"x {i} y");
            for (var i = p; i < p + 14; i++) Add("ok", i, "append", $"k{k}", $"x {i} y");
            Add("invoke", p, "get", $"k{k}", null);
            Add("ok", p, "get", $"k{k}", "never written");
        }
        var path = Write("hard-kv.jsonl", string.Join('\n', lines));

        // When a child process checks it with a 200 MiB budget, 3 times (its peak RSS measured by GNU time)
        const long budgetMiB = 200;
        var peaks = new List<long>();
        for (var run = 0; run < 3; run++)
        {
            var psi = new ProcessStartInfo("/usr/bin/time") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "-f", "peak-rss-kb %M", "dotnet", Path.Combine(AppContext.BaseDirectory, "harness.dll"), "check", path, "--model", "kv", "--all-keys",
                "--memory-budget", $"{budgetMiB}", "--timeout", "600" })
                psi.ArgumentList.Add(a);
            using var child = Process.Start(psi)!;
            var stdout = child.StandardOutput.ReadToEndAsync();
            var stderr = child.StandardError.ReadToEndAsync();
            await child.WaitForExitAsync();
            var error = await stderr;
            peaks.Add(long.Parse(error[(error.LastIndexOf("peak-rss-kb ", StringComparison.Ordinal) + 12)..].Trim(), CultureInfo.InvariantCulture) / 1024);

            // Then every key gave up at the budget (unknown)
            Assert.Equal(2, child.ExitCode);
            Assert.Contains("4 keys gave up at the memory budget (200 MiB", await stdout, StringComparison.Ordinal);
        }

        // and the whole process stayed within it, every time: the budget is process memory (runtime, history,
        // garbage, memos), with no allowance beyond it (the working set is kept 1/8 below the budget; when only the
        // memos and a look at the working set every 100 ms were counted, 2 of 3 such runs peaked at 206-212 MiB)
        Assert.True(peaks.Max() <= budgetMiB, $"peak RSS {string.Join(", ", peaks)} MiB for a {budgetMiB} MiB budget");
    }

    [Theory]
    [InlineData("10")]
    [InlineData("9999999")]
    public async Task Should_Refuse_A_Memory_Budget_Out_Of_Range(string mib)
    {
        // Given / When
        var (exit, _, error) = await RunAsync("check", Write("ok.jsonl", Valid), "--model", "register", "--memory-budget", mib);

        // Then
        Assert.Equal(254, exit);
        Assert.Contains("--memory-budget must be 64 to 1048576 MiB", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_PrintJsonLines_When_AskedForJson()
    {
        // Given an invalid history
        var path = Write("bad.jsonl", Invalid);
        // When checking it with --json
        var (exit, stdout, _) = await RunAsync("check", path, "--model", "register", "--json");
        // Then the line is a JSON object with the result and the anomaly data
        Assert.Equal(1, exit);
        var o = JsonNode.Parse(stdout.Trim())!.AsObject();
        Assert.Equal(path, (string?)o["file"]);
        Assert.Equal("invalid", (string?)o["validity"]);
        var anomaly = o["result"]!["anomalies"]![0]!;
        Assert.Equal("nonlinearizable", (string?)anomaly["type"]);
        Assert.Equal(2, (long)anomaly["data"]!["stuck"]![0]!);
    }

    [Fact]
    public async Task Should_ReadEdnAndPorcupineFormats_When_FormatIsAutoOrGiven()
    {
        // Given the same bad history as Knossos EDN and as a Porcupine etcd log (no extension)
        var edn = Write("bad.edn", "[{:process 0 :type :invoke :f :write :value 1}\n{:process 0 :type :ok :f :write :value 1}\n{:process 1 :type :invoke :f :read :value nil}\n{:process 1 :type :ok :f :read :value 2}]");
        var log = Write("etcd_bad", "INFO  jepsen.util - 0\t:invoke\t:write\t1\nINFO  jepsen.util - 0\t:ok\t:write\t1\nINFO  jepsen.util - 1\t:invoke\t:read\tnil\nINFO  jepsen.util - 1\t:ok\t:read\t2\n");
        // When checking them
        var (exit1, _, _) = await RunAsync("check", edn, "--model", "cas-register");
        var (exit2, _, _) = await RunAsync("check", log, "--model", "etcd", "--format", "porcupine-etcd");
        // Then both are invalid
        Assert.Equal(1, exit1);
        Assert.Equal(1, exit2);
    }

    [Theory]
    [InlineData("register")]
    [InlineData("list-append")]
    public async Task Should_WarnAndCheckTheRest_When_TheFinalLineIsTorn(string workload)
    {
        // Given a history whose writer was killed mid-line (the last line has no newline and is cut short)
        var path = workload == "register"
            ? Write("torn.jsonl", Valid + "\n{\"index\":4,\"type\":\"inv")
            : Write("torn-txn.jsonl", """
                {"type":"invoke","process":0,"f":"txn","value":[["append",1,1]]}
                {"type":"ok","process":0,"f":"txn","value":[["append",1,1]]}
                {"type":"invoke","process":0,"f":"txn","value":[["r",1,null]]}
                {"type":"ok","process":0,"f":"txn","value":[["r",1,[1
                """);
        // When checking it (list-append streams the file, reading it more than once when needed)
        var (exit, stdout, stderr) = workload == "register"
            ? await RunAsync("check", path, "--model", "register")
            : await RunAsync("check", path, "--workload", "list-append");
        // Then the lines before it get their verdict, and one warning names the file and the torn line
        Assert.Equal(0, exit);
        Assert.Contains($"{path}: valid:", stdout, StringComparison.Ordinal);
        var warning = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"harness: {path}:{(workload == "register" ? 5 : 4)}: warning: the last line is cut short", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_Exit254NamingTheLine_When_AMiddleLineIsMalformed()
    {
        // Given a malformed line followed by good ones
        var path = Write("mid.jsonl", Valid.Replace("\"type\":\"ok\",\"process\":0", "\"type\":\"ok\",\"process\":", StringComparison.Ordinal));
        // When checking it
        var (exit, _, stderr) = await RunAsync("check", path, "--model", "register");
        // Then it is bad input naming the file and line 2
        Assert.Equal(254, exit);
        Assert.StartsWith($"harness: {path}:2: not valid JSON", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("orphan", "--model", "register", 1, "ok of read by process 0 with no invocation before it")]
    [InlineData("double", "--model", "register", 2, "process 0 invokes read while its read from line 1 has not completed")]
    [InlineData("f-differs", "--model", "register", 2, "process 0 completes write but invoked read on line 1")]
    [InlineData("empty", "--model", "register", 0, "has no operations (an empty history)")]
    [InlineData("register-as-set", "--workload", "set", 1, "write is not an operation of a set history")]
    [InlineData("register-as-list-append", "--workload", "list-append", 1, "write is not an operation of a list-append history")]
    [InlineData("register-as-bank", "--workload", "bank", 1, "write is not an operation of a bank history")]
    public async Task Should_Exit254NamingTheLine_When_TheHistoryBreaksTheRulesOrIsNotTheWorkloads(string kind, string flag, string value, int line, string message)
    {
        // Given a history that a checker would otherwise call valid (0 ops, or 0 transactions)
        var read = """{"type":"invoke","process":0,"f":"read","value":null}""";
        var path = Write(kind + ".jsonl", kind switch
        {
            "orphan" => """{"type":"ok","process":0,"f":"read","value":1}""",
            "double" => read + "\n" + read,
            "f-differs" => read + "\n" + """{"type":"ok","process":0,"f":"write","value":1}""",
            "empty" => "",
            _ => Valid,
        });
        // When checking it
        var (exit, stdout, stderr) = flag == "--model"
            ? await RunAsync("check", path, flag, value)
            : await RunAsync("check", path, flag, value, "--total", "10");
        // Then it is bad input: one line naming the file (and line) and what is wrong, never "valid"
        Assert.Equal(254, exit);
        Assert.Equal("", stdout);
        var error = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(line > 0 ? $"harness: {path}:{line}: " : $"harness: {path}: ", error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_CheckStreamedListAppendWithTheRules_When_AProcessCompletesWhatItNeverInvoked()
    {
        // Given a list-append history whose second line completes a txn process 1 never invoked
        var path = Write("la.jsonl", """
            {"type":"invoke","process":0,"f":"txn","value":[["append",1,1]]}
            {"type":"ok","process":1,"f":"txn","value":[["append",1,1]]}
            """);
        // When checking it with the streaming list-append checker
        var (exit, _, stderr) = await RunAsync("check", path, "--workload", "list-append");
        // Then line 2 is named
        Assert.Equal(254, exit);
        Assert.StartsWith($"harness: {path}:2: ok of txn by process 1 with no invocation", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("badline")]
    [InlineData("model")]
    [InlineData("format")]
    [InlineData("nomodel")]
    [InlineData("missing-nomodel")]
    [InlineData("plain-dir")]
    [InlineData("deep-edn")]
    [InlineData("deep-json")]
    public async Task Should_PrintOneLineAndExit254_When_TheInputIsBad(string kind)
    {
        // Given a bad invocation
        var good = Write("ok.jsonl", Valid);
        var bad = Write("bad-line.jsonl", Valid + "\n{\"type\":\"ok\",\"process\":0,\n");
        string[] args = kind switch
        {
            "missing" => ["check", Path.Combine(_dir, "nope.jsonl"), "--model", "register"],
            "badline" => ["check", bad, "--model", "register"],
            "model" => ["check", good, "--model", "nosuch"],
            "format" => ["check", good, "--model", "register", "--format", "yaml"],
            "missing-nomodel" => ["check", Path.Combine(_dir, "nope.jsonl")],
            "plain-dir" => ["check", _dir, "--model", "register"],
            "deep-edn" => ["check", Write("deep.edn", "[\n" + new string('[', 30_000) + new string(']', 30_000) + "]"), "--model", "register"],
            "deep-json" => ["check", Write("deep.jsonl", "{\"type\":\"invoke\",\"process\":0,\"f\":\"read\",\"value\":" + new string('[', 30_000) + new string(']', 30_000) + "}\n"), "--model", "register"],
            _ => ["check", good],
        };
        // When running it
        var (exit, _, stderr) = await RunAsync(args);
        // Then one line explains it (naming the file and line when it is about a file), and the exit code is 254
        Assert.Equal(254, exit);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("harness: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        switch (kind)
        {
            case "missing" or "missing-nomodel": Assert.Contains("nope.jsonl: no such file", line, StringComparison.Ordinal); break;
            case "plain-dir": Assert.Contains("is a directory but not a run directory", line, StringComparison.Ordinal); break;
            case "badline": Assert.Contains($"{bad}:5:", line, StringComparison.Ordinal); break;
            case "deep-edn": Assert.Contains("deep.edn:2: values nested more than", line, StringComparison.Ordinal); break;
            case "deep-json": Assert.Contains("deep.jsonl:1: not valid JSON: The maximum configured depth", line, StringComparison.Ordinal); break;
            case "model": Assert.Contains("unknown model 'nosuch'", line, StringComparison.Ordinal); break;
            case "format": Assert.Contains("unknown history format 'yaml'", line, StringComparison.Ordinal); break;
            default: Assert.Contains("--model", line, StringComparison.Ordinal); break;
        }
    }
}
