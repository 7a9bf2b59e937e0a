using System.Globalization;

namespace Harness.Bench;

/// <summary>
/// <c>mariadb [runs=3]</c>: command to first operation on 3 MariaDB nodes (network namespaces, as root), GTID primary
/// with asynchronous replicas and Galera alternating: <c>harness test mariadb [--topology galera] --workload register
/// --time-limit 3 --recovery-time 0</c> in a child process, from its start to the first line of its history.jsonl,
/// then to its exit (<see cref="FirstOperation"/>).
/// </summary>
internal static class MariaDbBench
{
    public static async Task<int> FirstOperationAsync(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        string[] common = ["--workload", "register", "--time-limit", "3", "--recovery-time", "0"];
        var medians = await FirstOperation.MediansAsync(runs, "harness-bench-mariadb-", new Dictionary<string, string[]>
        {
            ["async"] = ["mariadb", "--replication", "async", .. common],
            ["galera"] = ["mariadb", "--topology", "galera", .. common],
        });
        Console.WriteLine($"mariadb: command to first operation, 3 nodes, netns, median of {runs}, {Environment.ProcessorCount} cores, load {FirstOperation.Load()}");
        foreach (var (label, (first, total)) in medians)
            Console.WriteLine($"  {label,-6} {first:0.00} s (whole 3 s run {total:0.00} s)");
        return 0;
    }
}
