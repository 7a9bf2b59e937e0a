using System.Diagnostics;
using System.Globalization;
using Harness.Core.Checking;
using Harness.Core.Histories;
using Harness.Core.Running;
using Harness.Databases.Memory;
using Microsoft.Extensions.Logging.Abstractions;
using Harness.Core.Runs;

namespace Harness.Bench;

/// <summary>
/// The runner's own overhead: N workers (default 50) against the in-process database, unlimited rate, the
/// history streamed to history.jsonl as in a real run. Prints completed ops/s and history events/s.
/// Args: [seconds=10] [workers=50] [workload=register].
/// </summary>
internal static class RunnerBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        var workers = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 50;
        var workload = args.Length > 2 ? args[2] : "register";
        var options = new TestOptions
        {
            Database = "memory",
            Workload = workload,
            Concurrency = workers,
            Rate = 0,
            TimeLimit = TimeSpan.FromSeconds(seconds),
            Seed = 1,
            RecoveryTime = TimeSpan.Zero,
        };
        var spec = new MemorySuite().CreateTest(options);
        // Measure the run, not the checker: count the history instead of checking it.
        spec = spec with { Workload = spec.Workload with { Checker = new CountingChecker(), Final = null } };
        var results = Directory.CreateTempSubdirectory("harness-bench-runner-").FullName;
        try
        {
            var dir = new ResultStore(results).CreateRunDirectory(spec.Name, DateTimeOffset.UtcNow);
            var runner = new TestRunner(NullLogger.Instance);
            var clock = Stopwatch.StartNew();
            var result = await runner.RunAsync(spec, new InMemoryCluster(3), dir, CancellationToken.None);
            var elapsed = clock.Elapsed.TotalSeconds;
            var ops = runner.Stats.Completed;
            var bytes = new FileInfo(Path.Combine(dir, ResultStore.HistoryFile)).Length;
            Console.WriteLine($"runner: {workers} workers, {workload}, {seconds:0.#}s, {Environment.ProcessorCount} cores");
            Console.WriteLine($"  completed ops: {ops:N0} in {elapsed:0.00}s = {ops / elapsed:N0} ops/s ({ops / seconds:N0} per second of workload)");
            Console.WriteLine($"  history events: {result.EventCount:N0} = {result.EventCount / elapsed:N0} events/s; history.jsonl {bytes / 1e6:0.0} MB");
            Console.WriteLine($"  ok {runner.Stats.Ok:N0} fail {runner.Stats.Fail:N0} info {runner.Stats.Info:N0}; verdict {result.Check.Validity.Word()}");
            return 0;
        }
        finally
        {
            Directory.Delete(results, recursive: true);
        }
    }

    private sealed class CountingChecker : IChecker
    {
        public string Name => "count";

        public CheckResult Check(History history, CancellationToken ct) =>
            CheckResult.Valid(Name, $"{history.Count} events recorded");
    }
}
