using System.Diagnostics;

namespace Harness.Cli.Tests;

/// <summary>
/// The Native AOT <c>harness-check</c> (src/Harness.Check.Native), published once for these tests exactly as the
/// launcher publishes it: on real Porcupine, Knossos and Elle histories it prints what the CLI's own <c>check</c>
/// prints and exits with the same code (trimming or AOT breaking a code path shows up here as a difference); bad
/// input is one line and 254; and <c>./harness check</c> runs it for files and the CLI for run directories.
/// </summary>
[Collection(LauncherCollection.Name)]
public sealed class NativeCheckTests(NativeCheckTests.Published native) : IClassFixture<NativeCheckTests.Published>
{
    private static readonly string Repo = FindRepo();
    private static string Data(string path) => Path.Combine(Repo, "tests/Harness.Checkers.Tests/TestData", path);

    /// <summary>harness-check published with Native AOT into a temporary directory (about 40 s), removed after.</summary>
    public sealed class Published : IDisposable
    {
        public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("harness-native-check-").FullName;
        public string Exe => Path.Combine(Directory, "harness-check");

        public Published()
        {
            var (exit, output) = RunAsync("dotnet", ["publish", Path.Combine(Repo, "src/Harness.Check.Native/Harness.Check.Native.csproj"),
                "-c", "Release", "-r", "linux-x64", "-o", Directory, "-nologo", "-v", "quiet"]).GetAwaiter().GetResult();
            if (exit != 0 || !File.Exists(Exe)) throw new InvalidOperationException($"publishing harness-check failed ({exit}): {output}");
        }

        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
    }

    public static TheoryData<string[]> Checks => new()
    {
        new[] { "porcupine/test_data/kv/c01-ok.txt", "--model", "kv" },
        // (a failing key stops the others at a moment that depends on timing: --all-keys makes the text deterministic)
        new[] { "porcupine/test_data/kv/c01-bad.txt", "--model", "kv", "--all-keys" },
        new[] { "porcupine/test_data/kv/c10-bad.txt", "--model", "kv", "--json", "--all-keys" },
        new[] { "porcupine/test_data/kv/c50-ok.txt", "--model", "kv", "--all-keys" },
        new[] { "porcupine/test_data/jepsen/etcd_000.log", "porcupine/test_data/jepsen/etcd_003.log", "--model", "etcd" },
        new[] { "knossos/data/cas-register/good/memstress3-2.edn", "--model", "cas-register", "--json" },
        new[] { "knossos/data/cas-register/bad/bad-analysis.edn", "--model", "cas-register" },
        new[] { "elle/histories/paper-example.edn", "--workload", "list-append", "--consistency", "strict-serializable" },
        new[] { "elle/histories/si-without-g-single.edn", "--workload", "list-append", "--json" },
    };

    [Theory]
    [MemberData(nameof(Checks))]
    public async Task Should_Print_What_The_Cli_Prints_When_Checking_Real_Histories(string[] check)
    {
        // Given real histories with known verdicts
        var args = check.Select(a => a.Contains('/', StringComparison.Ordinal) ? Data(a) : a).ToArray();

        // When harness-check and the CLI's check (in this process) check them
        var (exit, output) = await RunAsync(native.Exe, args);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var cliExit = await CliApp.RunAsync(["check", .. args], stdout, stderr);

        // Then the verdict lines, explanations and JSON are the CLI's (but for times and the memo's peak size,
        // which depend on the machine), and so is the exit code
        Assert.Equal(Untimed(stdout.ToString() + stderr), Untimed(output));
        Assert.Equal(cliExit, exit);
        Assert.NotEqual(2, exit);
    }

    [Fact]
    public async Task Should_Find_The_Known_Verdicts_When_Checking_Porcupine_Logs()
    {
        // Given Porcupine's kv logs (its own test file: c01-ok and c50-ok linearizable, c01-bad and c10-bad not)
        // When harness-check checks each; Then the exit codes are Porcupine's verdicts
        foreach (var (log, expected) in new[] { ("c01-ok", 0), ("c01-bad", 1), ("c10-bad", 1), ("c50-ok", 0) })
            Assert.Equal(expected, (await RunAsync(native.Exe, [Data($"porcupine/test_data/kv/{log}.txt"), "--model", "kv"])).Exit);
    }

    [Theory]
    [InlineData("missing", "no such file")]
    [InlineData("--model", "(see 'harness check --help')")]
    [InlineData("bad-model", "unknown model 'nope'")]
    [InlineData("torn", "h.jsonl:2: not valid JSON")]
    public async Task Should_Say_What_Is_Wrong_In_One_Line_When_The_Input_Is_Bad(string bad, string says)
    {
        // Given a missing file, a missing value, an unknown model, or a file that is not a history
        using var dir = new TempDir();
        var file = Path.Combine(dir.Path, "h.jsonl");
        await File.WriteAllTextAsync(file, "{\"type\":\"invoke\",\"process\":0,\"f\":\"read\",\"value\":null,\"time\":1}\nnot json\n{}\n");
        string[] args = bad switch
        {
            "missing" => [Path.Combine(dir.Path, "none.jsonl"), "--model", "register"],
            "--model" => [file, "--model"],
            "bad-model" => [file, "--model", "nope"],
            _ => [file, "--model", "register"],
        };

        // When harness-check checks it
        var (exit, output) = await RunAsync(native.Exe, args);

        // Then one line says what is wrong, with exit 254 and no stack trace
        Assert.Equal(254, exit);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("harness: ", line, StringComparison.Ordinal);
        Assert.Contains(says, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_Send_Run_Directories_To_The_Cli_And_Files_To_The_Native_Checker_When_Run_Through_The_Launcher()
    {
        // Given a launcher root whose CLI is this build's and whose native checker is the one published here, and a
        // run directory of a real (in-memory) test
        using var root = new TempDir();
        File.Copy(Path.Combine(Repo, "harness"), Path.Combine(root.Path, "harness"));
        var cli = Directory.CreateDirectory(Path.Combine(root.Path, ".build", "cli")).FullName;
        File.CreateSymbolicLink(Path.Combine(cli, "harness"), Path.Combine(AppContext.BaseDirectory, "harness"));
        // (its harness-check notes each call in a file, then runs the published one)
        var calls = Path.Combine(root.Path, "native-calls");
        var check = Directory.CreateDirectory(Path.Combine(root.Path, ".build", "check")).FullName;
        await File.WriteAllTextAsync(Path.Combine(check, "harness-check"), $"#!/bin/sh\necho \"$*\" >> '{calls}'\nexec '{native.Exe}' \"$@\"\n");
        if (OperatingSystem.IsLinux()) File.SetUnixFileMode(Path.Combine(check, "harness-check"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await File.WriteAllTextAsync(Path.Combine(cli, ".stamp"), "");
        var results = Path.Combine(root.Path, "results");
        Assert.Equal(0, await CliApp.RunAsync(["test", "memory", "--workload", "set", "--time-limit", "1", "--rate", "300", "--results", results, "--seed", "5"], TextWriter.Null, TextWriter.Null));
        var run = Path.Combine(results, "latest");
        var harness = Path.Combine(root.Path, "harness");
        var log = Data("porcupine/test_data/kv/c01-bad.txt");

        // When ./harness check is given the run directory, --help, a file with HARNESS_NATIVE_CHECK=0, then a file
        var (runExit, runOutput) = await RunAsync(harness, ["check", run]);
        var (helpExit, _) = await RunAsync(harness, ["check", log, "--help"]);
        var (forcedExit, forcedOutput) = await RunAsync(harness, ["check", log, "--model", "kv", "--all-keys"], new() { ["HARNESS_NATIVE_CHECK"] = "0" });
        Assert.False(File.Exists(calls), "the CLI's cases went to harness-check");
        var (fileExit, fileOutput) = await RunAsync(harness, ["check", log, "--model", "kv", "--all-keys"]);

        // Then the run is re-checked by the CLI with its test's checkers (harness-check alone refuses it), and so is
        // --help; the file goes to harness-check, with the arguments after "check", and prints what the CLI prints
        Assert.True(runExit == 0, runOutput);
        Assert.Contains("valid", runOutput, StringComparison.Ordinal);
        var (refusedExit, refused) = await RunAsync(native.Exe, [run]);
        Assert.Equal(254, refusedExit);
        Assert.Contains("./harness check", refused, StringComparison.Ordinal);
        Assert.Equal(0, helpExit);
        Assert.Equal($"{log} --model kv --all-keys", Assert.Single(await File.ReadAllLinesAsync(calls)));
        Assert.Equal(1, fileExit);
        Assert.Equal((forcedExit, forcedOutput), (fileExit, fileOutput));
    }

    private static string Untimed(string output) =>
        System.Text.RegularExpressions.Regex.Replace(output, "\"(peak_memo_bytes|[a-z_]*_ms)\":[0-9]+", "\"$1\":0");

    private static async Task<(int Exit, string Output)> RunAsync(string exe, IEnumerable<string> args, Dictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? []) psi.Environment[name] = value;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var bounded = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await p.WaitForExitAsync(bounded.Token);
        return (p.ExitCode, await stdout + await stderr);
    }

    private static string FindRepo()
    {
        var repo = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(repo, "Harness.sln"))) repo = Path.GetDirectoryName(repo.TrimEnd('/')) ?? throw new InvalidOperationException("no repo root");
        return repo;
    }

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("harness-native-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
