namespace Harness.Bench;

/// <summary>The benchmarks by name: add a line here for a new one.</summary>
internal static class Benchmarks
{
    public static IReadOnlyDictionary<string, (string Description, Func<string[], Task<int>> Run)> All { get; } =
        new Dictionary<string, (string, Func<string[], Task<int>>)>
        {
            ["lin"] = ("linearizability: Porcupine logs through ./harness check, and a 1M-op generated history", LinBenchmark.RunAsync),
            ["report"] = ("report.html of a generated 100,000-op run: generation time, and time to the timeline drawn in chromium (args: [--ops N] [--runs N] [--skip-browser])", ReportBench.RunAsync),
            ["elle"] = ("list-append cycle checker: a generated valid 1M-txn history (args: [txns] [model] [stale-read rate])", args => Task.FromResult(ElleBench.Run(args))),
            ["runner"] = ("the runner's overhead: 50 workers against the in-process database, history streamed to disk (args: [seconds] [workers] [workload])", RunnerBench.RunAsync),
            ["lin-hard"] = ("linearizability: a 10-key kv history, most keys failing fast and two pathological: wall clock and peak RSS (args: [--runs N] [--concurrent N] [--all-keys-timeout S])", LinBenchmark.HardAsync),
            ["docker"] = ("docker vs netns: command to first operation on 3 PostgreSQL nodes, image cached, side by side (args: [runs]; root)", DockerBench.FirstOperationAsync),
            ["mariadb"] = ("mariadb: command to first operation on 3 MariaDB nodes, async primary-replica and Galera, side by side (args: [runs]; root)", MariaDbBench.FirstOperationAsync),
            ["docker-build"] = ("docker: the one-time image build from nothing in a fresh cache root: time and size (args: [packages...]; root)", DockerBench.BuildAsync),
            ["lin-inproc"] = ("linearizability in-process: lin-inproc FILE MODEL [runs]: read and check times", LinBenchmark.InProcessAsync),
        };
}
