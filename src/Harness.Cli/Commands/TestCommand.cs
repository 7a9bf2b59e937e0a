using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using Harness.Core;
using Harness.Core.Control;
using Harness.Core.Nemeses;
using Harness.Core.Running;
using Harness.Report;
using Harness.Core.Checking;
using Microsoft.Extensions.Logging;

namespace Harness.Cli.Commands;

/// <summary><c>harness test &lt;db&gt;</c>: build a test from options, run it, check it, write results/.</summary>
internal static class TestCommand
{
    public const int MaxNodes = 9;

    private static readonly Argument<string> Database = new("database") { Description = "The database to test (see 'harness list')" };
    private static readonly Option<string> Workload = new("--workload", "-w") { Description = "register | set | session | list-append | bank", DefaultValueFactory = _ => "register" };
    private static readonly Option<string> Nemesis = new("--nemesis") { Description = "Faults, comma-separated: partition, kill, pause, kill-primary, loss (default none)", DefaultValueFactory = _ => "" };
    private static readonly Option<string> Shapes = new("--partition-shape") { Description = "Partition shapes, comma-separated: one, majority, majorities-ring, minority-third, primaries, bridge", DefaultValueFactory = _ => "majority" };
    private static readonly Option<double> Interval = new("--nemesis-interval") { Description = "Seconds between a fault and its heal (and between faults)", DefaultValueFactory = _ => 5 };
    private static readonly Option<double> TimeLimit = new("--time-limit") { Description = "Seconds of workload", DefaultValueFactory = _ => 30 };
    private static readonly Option<string> Concurrency = new("--concurrency") { Description = "Client workers: N, or Nn for N per node", DefaultValueFactory = _ => "5" };
    private static readonly Option<int> Nodes = new("--nodes") { Description = $"Number of nodes (1..{MaxNodes})", DefaultValueFactory = _ => 3 };
    private static readonly Option<double> Rate = new("--rate") { Description = "Target operations per second, all workers together (0 = unlimited)", DefaultValueFactory = _ => 100 };
    private static readonly Option<double> OpTimeout = new("--op-timeout") { Description = "Seconds before an operation counts as unknown (info)", DefaultValueFactory = _ => 5 };
    private static readonly Option<long?> Seed = new("--seed") { Description = "Random seed (printed and saved in test.json; default random)" };
    private static readonly Option<bool> LeaveDbRunning = new("--leave-db-running") { Description = "Do not tear the database and cluster down at the end" };
    private static readonly Option<string> Results = new("--results") { Description = "Where runs are stored", DefaultValueFactory = _ => "results" };
    private static readonly Option<string> Provisioner = new("--provisioner") { Description = "How nodes are made: netns", DefaultValueFactory = _ => "netns" };
    private static readonly Option<int> KeyCount = new("--key-count") { Description = "Active keys at a time (register, list-append, session)", DefaultValueFactory = _ => 8 };
    private static readonly Option<double> Recovery = new("--recovery-time") { Description = "Seconds to wait after the final heal before the final reads", DefaultValueFactory = _ => 5 };
    private static readonly Option<string> Replication = new("--replication") { Description = "async | sync | remote-apply", DefaultValueFactory = _ => "async" };
    private static readonly Option<int> SyncReplicas = new("--sync-replicas") { Description = "Synchronous standbys (with --replication sync/remote-apply)", DefaultValueFactory = _ => 1 };
    private static readonly Option<string> ReadFrom = new("--read-from") { Description = "primary | replica | any", DefaultValueFactory = _ => "primary" };
    private static readonly Option<string> Failover = new("--failover") { Description = "none | promote", DefaultValueFactory = _ => "none" };
    private static readonly Option<bool> Fencing = new("--fencing") { Description = "Fence the old primary on failover" };
    private static readonly Option<string> Isolation = new("--isolation") { Description = "read-committed | repeatable-read | serializable", DefaultValueFactory = _ => "serializable" };
    private static readonly Option<double> LossProbability = new("--loss-probability") { Description = "Share of packets dropped by the loss fault", DefaultValueFactory = _ => 0.2 };
    private static readonly Option<string> Bug = new("--bug") { Description = "Planted bugs of the memory database, comma-separated: stale-read, lost-write, bad-transfer", DefaultValueFactory = _ => "" };
    private static readonly Option<bool> Plain = new("--plain") { Description = "Periodic plain progress lines even on a terminal" };

    public static Command Create()
    {
        var command = new Command("test", "Run one test against a database cluster, check it, and store it under results/")
        {
            Database, Workload, Nemesis, Shapes, Interval, TimeLimit, Concurrency, Nodes, Rate, OpTimeout, Seed, LeaveDbRunning,
            Results, Provisioner, KeyCount, Recovery, Replication, SyncReplicas, ReadFrom, Failover, Fencing, Isolation,
            LossProbability, Bug, Plain,
        };
        command.SetAction((parse, ct) => RunAsync(parse, ct));
        return command;
    }

    /// <summary>Turns the parsed command line into options; every bad value is a one-line user error.</summary>
    internal static TestOptions ParseOptions(ParseResult parse)
    {
        var nodes = parse.GetValue(Nodes);
        if (nodes is < 1 or > MaxNodes) throw new UserErrorException($"--nodes must be between 1 and {MaxNodes}, got {nodes}");
        var options = new TestOptions
        {
            Database = parse.GetRequiredValue(Database),
            Workload = parse.GetValue(Workload) ?? "register",
            Faults = SplitList(parse.GetValue(Nemesis)),
            PartitionShapes = SplitList(parse.GetValue(Shapes)),
            NemesisInterval = Seconds(parse.GetValue(Interval), "--nemesis-interval", allowZero: false),
            TimeLimit = Seconds(parse.GetValue(TimeLimit), "--time-limit", allowZero: false),
            NodeCount = nodes,
            Concurrency = ParseConcurrency(parse.GetValue(Concurrency) ?? "5", nodes),
            Rate = AtLeast(parse.GetValue(Rate), 0, "--rate"),
            OpTimeout = Seconds(parse.GetValue(OpTimeout), "--op-timeout", allowZero: false),
            Seed = parse.GetValue(Seed) ?? Random.Shared.NextInt64(1, 1L << 40),
            LeaveDbRunning = parse.GetValue(LeaveDbRunning),
            ResultsDirectory = parse.GetValue(Results) ?? "results",
            Provisioner = parse.GetValue(Provisioner) ?? "netns",
            KeyCount = (int)AtLeast(parse.GetValue(KeyCount), 1, "--key-count"),
            RecoveryTime = Seconds(parse.GetValue(Recovery), "--recovery-time", allowZero: true),
            Replication = OneOf(parse.GetValue(Replication), "--replication", "async", "sync", "remote-apply"),
            SyncReplicas = (int)AtLeast(parse.GetValue(SyncReplicas), 0, "--sync-replicas"),
            ReadFrom = OneOf(parse.GetValue(ReadFrom), "--read-from", "primary", "replica", "any"),
            Failover = OneOf(parse.GetValue(Failover), "--failover", "none", "promote"),
            Fencing = parse.GetValue(Fencing),
            Isolation = OneOf(parse.GetValue(Isolation), "--isolation", "read-committed", "repeatable-read", "serializable"),
            LossProbability = Probability(parse.GetValue(LossProbability)),
            Bugs = SplitList(parse.GetValue(Bug)),
        };
        if (!Workloads.Workloads.Names.Contains(options.Workload))
            throw new UserErrorException($"unknown workload '{options.Workload}'; valid workloads: {string.Join(", ", Workloads.Workloads.Names)}");
        NemesisPackages.Validate(options);
        return options;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken ct)
    {
        var output = parse.InvocationConfiguration.Output;
        var options = ParseOptions(parse);
        var suite = Suites.Find(options.Database);
        if (!suite.SupportedWorkloads.Contains(options.Workload))
            throw new UserErrorException($"{suite.Name} does not support the '{options.Workload}' workload; it supports: {string.Join(", ", suite.SupportedWorkloads.Order())}");
        TestSpec spec;
        try
        {
            spec = suite.CreateTest(options);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new UserErrorException(e.Message);
        }
        var provisioner = suite.Provisioner ?? Suites.Provisioner(options.Provisioner, output);

        var store = new ResultStore(options.ResultsDirectory);
        var start = DateTimeOffset.UtcNow;
        var runDirectory = store.CreateRunDirectory(spec.Name, start);
        var progress = new TestProgress(output, parse.GetValue(Plain));
        using var logger = new FileLogger(Path.Combine(runDirectory, ResultStore.LogFile), progress.OnLog);
        await output.WriteLineAsync($"harness: {spec.Name}: seed {options.Seed}, {options.Concurrency} workers, {options.NodeCount} nodes, {options.TimeLimit.TotalSeconds:0.#}s; results in {runDirectory}");

        ICluster cluster;
        try
        {
            var runName = $"h{start.ToUnixTimeMilliseconds() & 0xffff:x4}";
            cluster = await provisioner.ProvisionAsync(new ClusterSpec(options.NodeCount, suite.Packages, runName), ct);
        }
        catch (Exception e) when (e is not (UserErrorException or ProvisioningException or OperationCanceledException))
        {
            logger.LogError(e, "provisioning failed");
            throw new ProvisioningException($"could not provision {options.NodeCount} nodes with '{options.Provisioner}': {e.Message} (details in {Path.Combine(runDirectory, ResultStore.LogFile)})");
        }

        var runner = new TestRunner(logger);
        var run = runner.RunAsync(spec, cluster, runDirectory, ct);
        await progress.ShowAsync(run, runner.Stats, options);
        var result = await run;
        WriteReport(runDirectory, logger);

        await output.WriteLineAsync($"harness: {result.Check.Validity.Word()}: {result.Check.Summary}");
        foreach (var child in result.Check.Children.Where(c => c.Validity != Validity.Valid))
            foreach (var anomaly in child.Anomalies.Take(3))
                await output.WriteLineAsync($"  {child.Checker}: {anomaly.Type}: {FirstLine(anomaly.Explanation)}");
        if (result.Interrupted) await output.WriteLineAsync("harness: interrupted; the cluster was healed and torn down, and what was recorded was checked");
        if (result.Crash is { } crash)
            await output.WriteLineAsync($"harness: the run crashed: {crash.GetType().Name}: {crash.Message} (details in {Path.Combine(runDirectory, ResultStore.LogFile)})");
        await output.WriteLineAsync($"harness: {result.EventCount} events; results in {runDirectory} (seed {options.Seed})");
        return result.ExitCode;
    }

    /// <summary>Writes report.html when the report project provides a writer (never fails the run).</summary>
    private static void WriteReport(string runDirectory, ILogger logger)
    {
        try
        {
            ReportWriter.WriteRun(runDirectory);
        }
        catch (Exception e)
        {
            logger.LogWarning("could not write report.html: {Error}", e.Message);
        }
    }

    private static string FirstLine(string s) => s.Split('\n', 2)[0];

    internal static ImmutableArray<string> SplitList(string? value) =>
        [.. (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(v => v != "none")];

    internal static int ParseConcurrency(string value, int nodes)
    {
        var v = value.Trim();
        var perNode = v.EndsWith('n');
        if (int.TryParse(perNode ? v[..^1] : v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1)
            return perNode ? n * nodes : n;
        throw new UserErrorException($"--concurrency must be a positive number N or Nn (N per node), got '{value}'");
    }

    private static double AtLeast(double value, double min, string name) =>
        value >= min ? value : throw new UserErrorException($"{name} must be at least {min}, got {value}");

    private static double Probability(double value) =>
        value is > 0 and <= 1 ? value : throw new UserErrorException($"--loss-probability must be in (0, 1], got {value}");

    private static TimeSpan Seconds(double value, string name, bool allowZero) =>
        value > 0 || (allowZero && value == 0) ? TimeSpan.FromSeconds(value)
            : throw new UserErrorException($"{name} must be {(allowZero ? "0 or more" : "more than 0")} seconds, got {value}");

    private static string OneOf(string? value, string name, params string[] valid) =>
        valid.Contains(value) ? value! : throw new UserErrorException($"{name} must be one of {string.Join(", ", valid)}, got '{value}'");
}
