using System.Diagnostics;
using System.Globalization;

namespace Harness.Bench;

/// <summary>
/// <c>lin [--runs N] [--ops N] [--keys N] [--processes N] [--data DIR] [--skip-logs] [--skip-big] [--keep] [--cli]</c>:
/// (a) every Porcupine etcd log (one process, --model etcd) and each kv log (--model kv) through the binary
/// <c>./harness check FILE</c> runs, the Native AOT <c>.build/check/harness-check</c> (with --cli: the CLI,
/// <c>.build/cli/harness check</c>), whole-process wall clock, best and median of N runs. The logs are
/// the repository's copy under tests/Harness.Checkers.Tests/TestData/porcupine/test_data, or --data DIR (a
/// directory holding <c>jepsen/etcd_*.log</c> and <c>kv/*.txt</c>, laid out like Porcupine's test_data);
/// (b) a generated keyed-register history (default 1,000,000 ops over 1,000 keys and 50 processes) checked by
/// the same binary: wall clock and peak working set (via /usr/bin/time).
/// Side by side: when the environment variable <c>PORCUPINE_KV</c> names a Porcupine comparison binary (built from
/// Porcupine's own source with the glue in bench/porcupine; see its README), each log set is also checked by it,
/// alternating run by run with the harness, and the harness/Porcupine ratios of whole-process wall clock and CPU
/// are printed, and first a Native AOT hello world (bench/AotHello) next to Porcupine's smallest log: the floor no
/// .NET process gets under.
/// </summary>
internal static class LinBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = IntArg(args, "--runs", 5);
        var ops = IntArg(args, "--ops", 1_000_000);
        var keys = IntArg(args, "--keys", 1_000);
        var processes = IntArg(args, "--processes", 50);
        var root = FindRoot();
        var data = StringArg(args, "--data") ?? Path.Combine(root, "tests/Harness.Checkers.Tests/TestData/porcupine/test_data");
        if (!args.Contains("--skip-logs") && !Directory.Exists(data))
        {
            await Console.Error.WriteLineAsync($"no Porcupine test data at {data} (give --data DIR, or --skip-logs)");
            return 254;
        }
        // Build (or refresh) the launcher once; the timed runs use the published binary directly: the Native AOT
        // harness-check that `./harness check FILE` runs, or with --cli the CLI itself.
        await RunAsync(Path.Combine(root, "harness"), ["check", "--help"], quiet: true);
        var exe = Path.Combine(root, ".build/cli/harness");
        var native = Path.Combine(root, ".build/check/harness-check");
        var useNative = !args.Contains("--cli") && File.Exists(native);
        var harness = useNative ? native : exe;
        string[] Check(params string[] a) => useNative ? a : ["check", .. a];
        Console.WriteLine($"harness: {harness}{(useNative ? "" : " check")}");
        var porcupine = Environment.GetEnvironmentVariable("PORCUPINE_KV");
        if (!string.IsNullOrEmpty(porcupine) && !File.Exists(porcupine))
        {
            await Console.Error.WriteLineAsync($"PORCUPINE_KV={porcupine}: no such file (see bench/porcupine/README.md)");
            return 254;
        }
        if (!args.Contains("--skip-logs") && !string.IsNullOrEmpty(porcupine) && useNative)
        {
            // The floor: a Native AOT hello world, published like harness-check, next to Porcupine's smallest log.
            var hello = Path.Combine(Path.GetTempPath(), "harness-bench-aot-hello");
            var (built, log) = await RunAsync("dotnet", ["publish", Path.Combine(root, "bench/AotHello/AotHello.csproj"), "-c", "Release", "-r", "linux-x64", "-o", hello, "-nologo", "-v", "quiet"], quiet: true);
            if (built != 0) Console.WriteLine($"(no AOT hello world: {log.Trim()})");
            else await TimeAsync("Native AOT hello world (any .NET process's floor) vs Porcupine on kv c01-bad", Path.Combine(hello, "AotHello"), [], runs,
                (porcupine, [Path.Combine(data, "kv", "c01-bad.txt")]));
        }
        if (!args.Contains("--skip-logs"))
        {
            // Porcupine's etcd_095.log is empty (its cluster never started; Porcupine has no test for it), and the
            // harness refuses an empty history (254): leave empty logs out, for both checkers.
            var etcdAll = Directory.GetFiles(Path.Combine(data, "jepsen"), "etcd_*.log").Order(StringComparer.Ordinal).ToArray();
            var etcd = etcdAll.Where(f => new FileInfo(f).Length > 0).ToArray();
            if (etcd.Length < etcdAll.Length) Console.WriteLine($"({etcdAll.Length - etcd.Length} empty etcd log(s) left out)");
            await TimeAsync($"etcd logs ({etcd.Length} files, one process)", harness, Check([.. etcd, "--model", "etcd"]), runs,
                string.IsNullOrEmpty(porcupine) ? null : (porcupine, ["--etcd", .. etcd]));
            foreach (var kv in Directory.GetFiles(Path.Combine(data, "kv"), "*.txt").Order(StringComparer.Ordinal))
                await TimeAsync($"kv {Path.GetFileNameWithoutExtension(kv)}", harness, Check(kv, "--model", "kv"), runs,
                    string.IsNullOrEmpty(porcupine) ? null : (porcupine, [kv]));
        }
        if (!args.Contains("--skip-big"))
        {
            var file = Path.Combine(Path.GetTempPath(), $"harness-bench-{ops}-{keys}-{processes}.jsonl");
            var gen = Stopwatch.StartNew();
            var count = RegisterHistoryGenerator.WriteFile(file, ops, keys, processes, seed: 42);
            Console.WriteLine($"generated {ops:N0} ops ({count:N0} events) over {keys} keys, {processes} processes in {gen.Elapsed.TotalSeconds:0.0} s: {file} ({new FileInfo(file).Length / 1e6:0} MB)");
            var (seconds, peakKb, output) = await TimedRunAsync("/usr/bin/time", ["-f", "%e %M %U %S", exe, "check", file, "--model", "register"]);
            Console.WriteLine($"  {output.Trim()}");
            Console.WriteLine($"big history: {seconds:0.00} s wall clock, peak working set {peakKb / 1024.0:0} MB  (cmd: .build/cli/harness check {file} --model register)");
            if (!args.Contains("--keep")) File.Delete(file);
        }
        return 0;
    }

    /// <summary>
    /// <c>lin-hard [--runs N] [--keys N] [--pathological N] [--concurrent N] [--all-keys-timeout S] [--keep]</c>: a
    /// non-linearizable kv history (<see cref="HardKvHistoryGenerator"/>: most keys fail quickly, a few would
    /// need a factorial search) checked by the published binary: wall clock, peak RSS and the verdict line;
    /// then once with <c>--all-keys</c> (and a timeout), to show what the pathological keys cost when searched.
    /// </summary>
    public static async Task<int> HardAsync(string[] args)
    {
        var runs = IntArg(args, "--runs", 3);
        var ops = HardKvHistoryGenerator.Build(IntArg(args, "--keys", 10), IntArg(args, "--pathological", 2), IntArg(args, "--concurrent", 14));
        var root = FindRoot();
        await RunAsync(Path.Combine(root, "harness"), ["check", "--help"], quiet: true);
        var exe = Path.Combine(root, ".build/cli/harness");
        var file = Path.Combine(Path.GetTempPath(), "harness-bench-hard-kv.jsonl");
        HardKvHistoryGenerator.WriteFile(file, ops);
        Console.WriteLine($"history: {ops.Count} events, {file}");
        string[] check = ["check", file, "--model", "kv"];
        var worst = (Seconds: 0.0, PeakKb: 0L);
        for (var i = 0; i < runs; i++)
        {
            var (seconds, peakKb, output) = await TimedRunAsync("/usr/bin/time", ["-f", "%e %M %U %S", exe, .. check]);
            if (i == 0) Console.WriteLine("  " + output.Split('\n')[0]);
            worst = (Math.Max(worst.Seconds, seconds), Math.Max(worst.PeakKb, peakKb));
            Console.WriteLine($"run {i + 1}: {seconds:0.00} s wall clock, peak RSS {peakKb / 1024.0:0} MiB{output[output.LastIndexOf(" (cpu", StringComparison.Ordinal)..]}");
        }
        Console.WriteLine($"stop at the first failing key: worst of {runs} runs {worst.Seconds:0.00} s, {worst.PeakKb / 1024.0:0} MiB peak RSS (cmd: .build/cli/harness {string.Join(' ', check)})");
        var timeout = IntArg(args, "--all-keys-timeout", 20);
        if (timeout > 0)
        {
            var (seconds, peakKb, output) = await TimedRunAsync("/usr/bin/time", ["-f", "%e %M %U %S", exe, .. check, "--all-keys", "--timeout", timeout.ToString(CultureInfo.InvariantCulture)]);
            Console.WriteLine("  " + output.Split('\n')[0]);
            Console.WriteLine($"--all-keys --timeout {timeout}: {seconds:0.00} s wall clock, peak RSS {peakKb / 1024.0:0} MiB{output[output.LastIndexOf(" (cpu", StringComparison.Ordinal)..]}");
        }
        if (!args.Contains("--keep")) File.Delete(file);
        return 0;
    }

    /// <summary><c>lin-inproc FILE MODEL [runs] [--all-keys]</c>: times reading and checking inside this process.</summary>
    public static Task<int> InProcessAsync(string[] args)
    {
        var runs = args.Length > 2 && !args[2].StartsWith('-') ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            var history = Harness.Core.Histories.Formats.HistoryFiles.Read(args[0]);
            var read = sw.Elapsed.TotalSeconds;
            var checker = new Harness.Checkers.Linearizability.LinearizabilityChecker(Harness.Checkers.Linearizability.LinearizabilityModels.ByName(args[1]))
            {
                AllKeys = args.Contains("--all-keys"),
            };
            sw.Restart();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var result = checker.Check(history, CancellationToken.None);
            var cpuCheck = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            Console.WriteLine($"read {read:0.000} s, check {sw.Elapsed.TotalSeconds:0.000} s (cpu {cpuCheck.TotalSeconds:0.000} s, gen2 GCs so far {GC.CollectionCount(2)}, peak working set {Process.GetCurrentProcess().PeakWorkingSet64 >> 20} MiB, peak memo {(long?)result.Stats?["peak_memo_bytes"] >> 20} MiB): {result.Validity} {result.Summary}");
        }
        return Task.FromResult(0);
    }

    /// <summary>
    /// Whole-process wall clock and CPU (as /usr/bin/time reports it) of <paramref name="exe"/>, best and median of
    /// <paramref name="runs"/>; with <paramref name="other"/> (the Porcupine binary), that one runs alternately with
    /// it (after it in even runs, before it in odd ones) and the harness/Porcupine ratios are printed.
    /// </summary>
    private static async Task TimeAsync(string label, string exe, string[] args, int runs, (string Exe, string[] Args)? other = null)
    {
        var times = new List<(double Wall, double Cpu)>();
        var otherTimes = new List<(double Wall, double Cpu)>();
        string first = "";
        string otherFirst = "";
        for (var i = 0; i < runs; i++)
        {
            if (other is { } o && i % 2 == 1) otherTimes.Add(await TimedAsync(o.Exe, o.Args, null));
            times.Add(await TimedAsync(exe, args, i == 0 ? s => first = s : null));
            if (other is { } o2 && i % 2 == 0) otherTimes.Add(await TimedAsync(o2.Exe, o2.Args, i == 0 ? s => otherFirst = s : null));
        }
        var verdicts = first.Split('\n').Where(l => !l.StartsWith(' ') && l.Contains(": ", StringComparison.Ordinal))
            .GroupBy(l => l.Split(": ")[1]).Select(g => $"{g.Count()} {g.Key}");
        var (best, median, cpu) = Summary(times);
        Console.WriteLine($"{label}: best {best:0.0000} s, median {median:0.0000} s, median CPU {cpu:0.000} s over {runs} runs ({string.Join(", ", verdicts)})");
        if (otherTimes.Count == 0) return;
        var (oBest, oMedian, oCpu) = Summary(otherTimes);
        var oVerdicts = otherFirst.Split('\n').Where(l => l.Contains('\t', StringComparison.Ordinal))
            .GroupBy(l => l.Split('\t')[1]).Select(g => $"{g.Count()} {g.Key}");
        Console.WriteLine($"  Porcupine: best {oBest:0.0000} s, median {oMedian:0.0000} s, median CPU {oCpu:0.000} s ({string.Join(", ", oVerdicts)}); " +
            $"harness/Porcupine: best {best / oBest:0.00}, median {median / oMedian:0.00}, CPU {(oCpu > 0 ? (cpu / oCpu).ToString("0.00", CultureInfo.InvariantCulture) : "-")}" +
            $"{(median <= 0.5 * oMedian ? "" : "  (above 0.5)")}");
    }

    private static (double Best, double Median, double Cpu) Summary(List<(double Wall, double Cpu)> times)
    {
        var walls = times.Select(t => t.Wall).Order().ToList();
        var cpus = times.Select(t => t.Cpu).Order().ToList();
        return (walls[0], walls[walls.Count / 2], cpus[cpus.Count / 2]);
    }

    /// <summary>
    /// One whole-process run under /usr/bin/time: wall clock (a stopwatch around it) and the CPU time the child used
    /// (user + system, as /usr/bin/time reports it on its last line, 10 ms resolution).
    /// </summary>
    private static async Task<(double Wall, double Cpu)> TimedAsync(string exe, string[] args, Action<string>? output)
    {
        var sw = Stopwatch.StartNew();
        var (_, text) = await RunAsync("/usr/bin/time", ["-f", "%U %S", exe, .. args], quiet: true);
        var wall = sw.Elapsed.TotalSeconds;
        var lines = text.TrimEnd().Split('\n');
        output?.Invoke(string.Join('\n', lines[..^1]));
        var cpu = lines[^1].Split(' ');
        return (wall, cpu.Length == 2 && double.TryParse(cpu[0], CultureInfo.InvariantCulture, out var u) && double.TryParse(cpu[1], CultureInfo.InvariantCulture, out var k) ? u + k : double.NaN);
    }

    private static async Task<(int Exit, string Output)> RunAsync(string exe, string[] args, bool quiet)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {exe}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (!quiet) Console.Write(await stderr);
        return (p.ExitCode, await stdout + await stderr);
    }

    private static async Task<(double Seconds, long PeakKb, string Output)> TimedRunAsync(string exe, string[] args)
    {
        var (_, output) = await RunAsync(exe, args, quiet: true);
        var lines = output.TrimEnd().Split('\n');
        var last = lines[^1].Split(' ');
        var cpu = last.Length >= 4 ? $" (cpu: {last[2]} s user, {last[3]} s sys)" : "";
        return (double.Parse(last[0], CultureInfo.InvariantCulture), long.Parse(last[1], CultureInfo.InvariantCulture), string.Join('\n', lines[..^1]) + cpu);
    }

    private static int IntArg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static string? StringArg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Harness.sln"))) return dir.FullName;
        throw new InvalidOperationException("run from inside the repository (no Harness.sln found)");
    }
}
