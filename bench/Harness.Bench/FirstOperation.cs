using System.Diagnostics;

namespace Harness.Bench;

/// <summary>
/// Command to first operation: the harness CLI in a child process (<c>dotnet harness.dll test ...</c>), timed from its
/// start to the first line of its history.jsonl, then to its exit. Shared by the first-operation benchmarks.
/// </summary>
internal static class FirstOperation
{
    /// <summary>Runs <c>harness test <paramref name="args"/> --results DIR --plain</c> once, DIR a fresh directory under
    /// <paramref name="results"/>; a non-zero exit is printed with the child's output.</summary>
    public static async Task<(double First, double Total, int Exit)> RunOnceAsync(string label, string results, params string[] args)
    {
        var dir = Path.Combine(results, label + "-" + Guid.NewGuid().ToString("N")[..6]);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["DOTNET_EnableDiagnostics"] = "0";
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "harness.dll"), "test" }.Concat(args).Concat(["--results", dir, "--plain"]))
            psi.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var child = Process.Start(psi)!; // not shell-executed, so never null
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        double first = double.NaN;
        while (!child.HasExited && double.IsNaN(first))
        {
            if (Directory.Exists(dir) && Directory.EnumerateFiles(dir, "history.jsonl", SearchOption.AllDirectories).Any(f => new FileInfo(f).Length > 0))
                first = clock.Elapsed.TotalSeconds;
            else await Task.Delay(10);
        }
        await child.WaitForExitAsync();
        var total = clock.Elapsed.TotalSeconds;
        if (child.ExitCode != 0) Console.Error.WriteLine($"{label}: exit {child.ExitCode}\n{await stdout}{await stderr}");
        return (first, total, child.ExitCode);
    }

    /// <summary>Alternates the <paramref name="variants"/> for <paramref name="runs"/> rounds, printing each run, and
    /// returns each variant's median first-operation and whole-run times.</summary>
    public static async Task<Dictionary<string, (double First, double Total)>> MediansAsync(int runs, string resultsPrefix, IReadOnlyDictionary<string, string[]> variants)
    {
        var results = Directory.CreateTempSubdirectory(resultsPrefix).FullName;
        var times = variants.Keys.ToDictionary(k => k, _ => new List<(double First, double Total)>());
        try
        {
            for (var i = 0; i < runs; i++)
                foreach (var (label, args) in variants)
                {
                    var (first, total, exit) = await RunOnceAsync(label, results, args);
                    times[label].Add((first, total));
                    Console.WriteLine($"  {label,-6} run {i + 1}: first operation {first:0.00} s, exit {exit} after {total:0.00} s");
                }
        }
        finally
        {
            Directory.Delete(results, recursive: true);
        }
        return times.ToDictionary(t => t.Key, t => (Median(t.Value.Select(x => x.First)), Median(t.Value.Select(x => x.Total))));
    }

    private static double Median(IEnumerable<double> xs) { var s = xs.Order().ToList(); return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2; }

    public static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}
