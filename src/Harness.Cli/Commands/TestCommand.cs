using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using Harness.Core;
using Harness.Core.Checking;
using Harness.Core.Control;
using Harness.Core.Nemeses;
using Harness.Core.Running;
using Harness.Core.Runs;
using Harness.Report;
using Microsoft.Extensions.Logging;

namespace Harness.Cli.Commands;

/// <summary>
/// <c>harness test &lt;db&gt;</c>: one subcommand per suite, built from the options every test has and the
/// suite's own options; builds the test, runs it, checks it, writes results/.
/// </summary>
internal static partial class TestCommand
{
    public const int MaxNodes = 9;
    public const int MaxConcurrency = 10_000;
    private const double MaxSeconds = 7 * 24 * 3600;

    public static Command Create()
    {
        var command = new Command("test", "Run one test against a database cluster, check it, and store it under results/ ('harness test <database> --help' for its options)");
        foreach (var suite in Suites.All()) command.Subcommands.Add(SuiteCommand(suite));
        command.SetAction((Func<ParseResult, int>)(_ => throw new UserErrorException($"name a database: harness test <database> [options]; databases: {string.Join(", ", Suites.Names)}")));
        return command;
    }

    /// <summary>The one-line error for <c>harness test &lt;name&gt;</c> naming no known database, or null.</summary>
    public static string? UnknownDatabase(IReadOnlyList<string> args) =>
        args.Count >= 2 && args[0] == "test" && !args[1].StartsWith('-') && Suites.TryFind(args[1]) is null
            ? $"unknown database '{args[1]}'; valid databases: {string.Join(", ", Suites.Names)}"
            : null;

    private static SuiteTestCommand SuiteCommand(ISuite suite)
    {
        var common = new CommonOptions(suite);
        var own = suite.Options.Select(o => (Option: o, Symbol: Symbol(o))).ToList();
        var provisioners = ProvisionerSymbols(suite);
        var command = new SuiteTestCommand(suite.Name, suite.Description)
        {
            Prepare = parse => Prepare(suite, ParseOptions(suite, common, own, provisioners, parse), parse.GetValue(common.Plain), parse.GetValue(common.Junit), parse.GetValue(common.Json)),
        };
        foreach (var alias in suite.Aliases) command.Aliases.Add(alias);
        foreach (var option in common.All) command.Options.Add(option);
        foreach (var (_, symbol) in own) command.Options.Add(symbol);
        foreach (var (_, _, symbol) in provisioners) command.Options.Add(symbol);
        command.SetAction((parse, ct) => RunOneAsync(command.Prepare(parse), parse, ct));
        return command;
    }

    private static Option Symbol(SuiteOption option, string? provisioner = null)
    {
        var prefix = provisioner is null ? "" : $"[--provisioner {provisioner}] ";
        return option switch
        {
            { IsSwitch: true } => new Option<bool>(option.Flag) { Description = prefix + option.Description },
            { IsRepeatable: true } => new Option<string[]>(option.Flag) { Description = $"{prefix}{option.Description} ({option.Accepts}; repeatable)", AllowMultipleArgumentsPerToken = false },
            _ => new Option<string>(option.Flag) { Description = $"{prefix}{option.Description} ({option.Accepts})", DefaultValueFactory = _ => option.Default },
        };
    }

    /// <summary>Every provisioner's own options, on every suite's command (an option whose name the suite already
    /// uses is left out: the suite's wins). A suite with a provisioner of its own (memory) gets none.</summary>
    private static List<(IProvisionerKind Kind, SuiteOption Option, Option Symbol)> ProvisionerSymbols(ISuite suite) =>
        suite.Provisioner is not null ? [] :
        [.. Suites.ProvisionerKinds.SelectMany(k => k.Options.Select(o => (Kind: k, Option: o)))
            .Where(p => !suite.Options.Any(o => o.Name == p.Option.Name))
            .Select(p => (p.Kind, p.Option, Symbol(p.Option, p.Kind.Name)))];

    /// <summary>The value given on the command line, normalised to the option's raw form (null when not given).</summary>
    private static string? Given(SuiteOption option, Option symbol, ParseResult parse) =>
        parse.GetResult(symbol) is not { Implicit: false } ? null : symbol switch
        {
            Option<bool> flag => parse.GetValue(flag) ? "true" : "false",
            Option<string[]> many => string.Join('\n', parse.GetValue(many) ?? []),
            Option<string> text => parse.GetValue(text) ?? option.Default,
            _ => null,
        };

    /// <summary>The options every test has, with their ranges (one instance per suite command).</summary>
    private sealed class CommonOptions(ISuite suite)
    {
        public Option<string> Workload { get; } = new("--workload", "-w")
        {
            Description = string.Join(" | ", Workloads.Workloads.Names.Where(suite.SupportedWorkloads.Contains)),
            DefaultValueFactory = _ => suite.SupportedWorkloads.Contains("register") ? "register" : suite.SupportedWorkloads.Order(StringComparer.Ordinal).First(),
        };
        public Option<string> Nemesis { get; } = new("--nemesis") { Description = $"Faults, comma-separated: {string.Join(", ", FaultKinds.Names)} (default none)", DefaultValueFactory = _ => "" };
        public Option<string> Shapes { get; } = new("--partition-shape") { Description = $"Partition shapes, comma-separated: {string.Join(", ", PartitionShapes.All)}", DefaultValueFactory = _ => "majority" };
        public Option<double> Interval { get; } = new("--nemesis-interval") { Description = "Seconds between a fault and its heal (and between faults)", DefaultValueFactory = _ => 5 };
        public Option<double> TimeLimit { get; } = new("--time-limit") { Description = "Seconds of workload", DefaultValueFactory = _ => 30 };
        public Option<string> Concurrency { get; } = new("--concurrency") { Description = $"Client workers: N, or Nn for N per node (at most {MaxConcurrency})", DefaultValueFactory = _ => "5" };
        public Option<int> Nodes { get; } = new("--nodes") { Description = $"Number of nodes (1..{MaxNodes})", DefaultValueFactory = _ => 3 };
        public Option<double> Rate { get; } = new("--rate") { Description = "Target operations per second, all workers together (0 = unlimited)", DefaultValueFactory = _ => 100 };
        public Option<double> OpTimeout { get; } = new("--op-timeout") { Description = "Seconds before an operation counts as unknown (info)", DefaultValueFactory = _ => 5 };
        public Option<long?> Seed { get; } = new("--seed") { Description = "Random seed (printed and saved in test.json; default random)" };
        public Option<bool> LeaveDbRunning { get; } = new("--leave-db-running") { Description = "Do not tear the database and cluster down at the end" };
        public Option<string> Results { get; } = new("--results") { Description = "Where runs are stored", DefaultValueFactory = _ => "results" };
        public Option<string> Provisioner { get; } = new("--provisioner") { Description = $"How nodes are made: {string.Join(", ", Suites.Provisioners)}", DefaultValueFactory = _ => "netns" };
        public Option<int> KeyCount { get; } = new("--key-count") { Description = "Active keys at a time (register, list-append, session)", DefaultValueFactory = _ => 8 };
        public Option<double> Recovery { get; } = new("--recovery-time") { Description = "Seconds to wait after the final heal before the final reads", DefaultValueFactory = _ => 5 };
        public Option<double> LossProbability { get; } = new("--loss-probability") { Description = "Share of packets dropped by the loss fault, in (0, 1]", DefaultValueFactory = _ => 0.2 };
        public Option<bool> Plain { get; } = new("--plain") { Description = "Periodic plain progress lines even on a terminal" };
        public Option<string?> Junit { get; } = new("--junit") { Description = "Also write the verdict as JUnit XML to this file (for CI)" };
        public Option<bool> Json { get; } = new("--json") { Description = "Print one JSON summary line on stdout (the human output goes to stderr)" };

        public IEnumerable<Option> All =>
        [
            Workload, Nemesis, Shapes, Interval, TimeLimit, Concurrency, Nodes, Rate, OpTimeout, Seed, LeaveDbRunning,
            Results, Provisioner, KeyCount, Recovery, LossProbability, Plain, Junit, Json,
        ];
    }

    /// <summary>Turns the parsed command line into options checked against the suite; every bad value or
    /// refused combination is a one-line user error.</summary>
    private static TestOptions ParseOptions(ISuite suite, CommonOptions c, List<(SuiteOption Option, Option Symbol)> own,
        List<(IProvisionerKind Kind, SuiteOption Option, Option Symbol)> provisionerOptions, ParseResult parse)
    {
        var nodes = parse.GetValue(c.Nodes);
        if (nodes is < 1 or > MaxNodes) throw new UserErrorException($"--nodes must be between 1 and {MaxNodes}, got {nodes}");
        var workload = parse.GetValue(c.Workload) ?? "register";
        if (!Workloads.Workloads.Names.Contains(workload))
            throw new UserErrorException($"unknown workload '{workload}'; valid workloads: {string.Join(", ", Workloads.Workloads.Names)}");
        var values = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (option, symbol) in own)
            values[option.Name] = symbol switch
            {
                Option<bool> flag => parse.GetValue(flag) ? "true" : "false",
                Option<string> text => parse.GetValue(text) ?? option.Default,
                _ => option.Default,
            };
        var options = new TestOptions
        {
            Database = suite.Name,
            Workload = workload,
            Faults = SplitList(parse.GetValue(c.Nemesis)),
            PartitionShapes = SplitList(parse.GetValue(c.Shapes)),
            NemesisInterval = Seconds(parse.GetValue(c.Interval), "--nemesis-interval", allowZero: false, max: 3600),
            TimeLimit = Seconds(parse.GetValue(c.TimeLimit), "--time-limit", allowZero: false, max: MaxSeconds),
            NodeCount = nodes,
            Concurrency = ParseConcurrency(parse.GetValue(c.Concurrency) ?? "5", nodes),
            Rate = ParseRate(parse.GetValue(c.Rate)),
            OpTimeout = Seconds(parse.GetValue(c.OpTimeout), "--op-timeout", allowZero: false, max: 3600),
            Seed = parse.GetValue(c.Seed) ?? Random.Shared.NextInt64(1, 1L << 40),
            LeaveDbRunning = parse.GetValue(c.LeaveDbRunning),
            ResultsDirectory = parse.GetValue(c.Results) ?? "results",
            Provisioner = parse.GetValue(c.Provisioner) ?? "netns",
            KeyCount = Between(parse.GetValue(c.KeyCount), 1, 100_000, "--key-count"),
            RecoveryTime = Seconds(parse.GetValue(c.Recovery), "--recovery-time", allowZero: true, max: 3600),
            LossProbability = Probability(parse.GetValue(c.LossProbability)),
            DatabaseOptions = values.ToImmutable(),
        };
        if (suite.Provisioner is null)
        {
            var kind = Suites.ProvisionerKind(options.Provisioner);
            var given = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            foreach (var (owner, option, symbol) in provisionerOptions)
            {
                if (Given(option, symbol, parse) is not { } value) continue;
                if (owner != kind) throw new UserErrorException($"{option.Flag} is an option of --provisioner {owner.Name}, not of {kind.Name}");
                given[option.Name] = value;
            }
            var resolved = SuiteOptions.Resolve(kind, options with { ProvisionerOptions = given.ToImmutable() });
            if (resolved.NodeCount != options.NodeCount && parse.GetResult(c.Nodes) is { Implicit: false })
                throw new UserErrorException($"--nodes {options.NodeCount} disagrees with the {resolved.NodeCount} nodes the --provisioner {kind.Name} options name; leave --nodes out");
            if (resolved.NodeCount is < 1 or > MaxNodes) throw new UserErrorException($"--provisioner {kind.Name} names {resolved.NodeCount} nodes; harness runs 1 to {MaxNodes}");
            options = resolved with { Concurrency = resolved.NodeCount == options.NodeCount ? options.Concurrency : ParseConcurrency(parse.GetValue(c.Concurrency) ?? "5", resolved.NodeCount) };
        }
        NemesisPackages.Validate(options);
        // Given explicitly but unable to apply (e.g. --partition-shape without --nemesis partition): refused.
        var explicitly = c.All.Concat(own.Select(o => o.Symbol))
            .Where(symbol => parse.GetResult(symbol) is { Implicit: false })
            .Select(symbol => symbol.Name.TrimStart('-'))
            .ToHashSet(StringComparer.Ordinal);
        return SuiteOptions.Resolve(suite, options, explicitly);
    }

    /// <summary>Runs a prepared test: provisions, runs, checks and stores it, writing its lines to <paramref name="output"/>
    /// and the warning about killed runs' leftovers to <paramref name="warnings"/> (stderr; default: output).</summary>
    internal static async Task<RunResult> ExecuteAsync(PreparedTest test, TextWriter output, CancellationToken ct, TextWriter? warnings = null)
    {
        var (suite, options, spec, plain) = (test.Suite, test.Options, test.Spec, test.Plain);
        var provisioner = suite.Provisioner ?? Suites.ProvisionerKind(options.Provisioner).Create(options, output);
        var start = DateTimeOffset.UtcNow;
        var clusterSpec = new ClusterSpec(options.NodeCount, spec.Packages, $"h{start.ToUnixTimeMilliseconds() & 0xffff:x4}") { LeaveRunning = options.LeaveDbRunning };
        // Everything that can refuse the run does so before anything is created.
        await provisioner.PreflightAsync(clusterSpec, ct);
        await CleanupCommand.WarnAboutLeftoversAsync(warnings ?? output, ct);

        var store = new ResultStore(options.ResultsDirectory);
        var runDirectory = store.CreateRunDirectory(spec.Name, start);
        var progress = new TestProgress(output, plain);
        using var logger = new FileLogger(Path.Combine(runDirectory, ResultStore.LogFile), progress.OnLog);
        await output.WriteLineAsync($"harness: {spec.Name}: seed {options.Seed}, {options.Concurrency} workers, {options.NodeCount} nodes, {options.TimeLimit.TotalSeconds:0.#}s; results in {runDirectory}");

        ICluster cluster;
        try
        {
            cluster = await provisioner.ProvisionAsync(clusterSpec, ct);
        }
        catch (Exception e) when (e is not (UserErrorException or ProvisioningException or OperationCanceledException))
        {
            logger.LogError(e, "provisioning failed");
            throw new ProvisioningException($"could not provision {options.NodeCount} nodes with '{options.Provisioner}': {e.Message} (details in {Path.Combine(runDirectory, ResultStore.LogFile)})");
        }

        // From here the runner owns the cluster: it tears it down in every case, also when the progress display fails.
        var runner = new TestRunner(logger);
        var run = runner.RunAsync(spec, cluster, runDirectory, ct);
        try
        {
            await progress.ShowAsync(run, runner.Stats, options);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("the progress display failed: {Error}", e.Message);
        }
        var result = await run;
        WriteReport(runDirectory, logger);

        await output.WriteLineAsync($"harness: {result.Check.Validity.Word()}: {result.Check.Summary}");
        // a transactional checker names the strongest models the history satisfies; say it even when all is valid
        foreach (var models in Descendants(result.Check).Where(c => c.Validity == Validity.Valid && c.Stats?["satisfies"] is not null))
            await output.WriteLineAsync($"  {models.Checker}: {models.Summary}");
        foreach (var child in result.Check.Children.Where(c => c.Validity != Validity.Valid))
            foreach (var anomaly in child.Anomalies.Take(3))
                await output.WriteLineAsync($"  {child.Checker}: {anomaly.Type}: {FirstLine(anomaly.Explanation)}");
        if (result.Interrupted) await output.WriteLineAsync("harness: interrupted; the cluster was healed and torn down, and what was recorded was checked");
        if (result.Crash is { } crash)
            await output.WriteLineAsync($"harness: the run crashed: {crash.GetType().Name}: {crash.Message} (details in {Path.Combine(runDirectory, ResultStore.LogFile)})");
        await output.WriteLineAsync($"harness: {result.EventCount} events; results in {runDirectory} (seed {options.Seed})");
        return result;
    }

    private static IEnumerable<CheckResult> Descendants(CheckResult result) => result.Children.SelectMany(c => Descendants(c).Prepend(c));

    /// <summary>Writes report.html (never fails the run).</summary>
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
        if (long.TryParse(perNode ? v[..^1] : v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1)
        {
            var total = perNode ? n * nodes : n;
            if (n <= MaxConcurrency && total <= MaxConcurrency) return (int)total;
            throw new UserErrorException($"--concurrency {value} makes {total} workers; the most is {MaxConcurrency}");
        }
        throw new UserErrorException($"--concurrency must be a positive number N or Nn (N per node), got '{value}'");
    }

    private static int Between(int value, int min, int max, string name) =>
        value >= min && value <= max ? value : throw new UserErrorException($"{name} must be between {min} and {max}, got {value}");

    private static double ParseRate(double value) =>
        value == 0 || (value >= 0.001 && value <= 1_000_000) ? value
            : throw new UserErrorException($"--rate must be 0 (unlimited) or between 0.001 and 1000000 operations per second, got {value.ToString(CultureInfo.InvariantCulture)}");

    private static double Probability(double value) =>
        value is > 0 and <= 1 ? value : throw new UserErrorException($"--loss-probability must be in (0, 1], got {value.ToString(CultureInfo.InvariantCulture)}");

    private static TimeSpan Seconds(double value, string name, bool allowZero, double max) =>
        (value > 0 || (allowZero && value == 0)) && value <= max ? TimeSpan.FromSeconds(value)
            : throw new UserErrorException($"{name} must be {(allowZero ? "from 0" : "more than 0")} to {max.ToString(CultureInfo.InvariantCulture)} seconds, got {value.ToString(CultureInfo.InvariantCulture)}");
}
