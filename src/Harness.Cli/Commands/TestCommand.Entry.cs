using System.CommandLine;
using System.Diagnostics;
using Harness.Core;
using Harness.Core.Control;
using Harness.Core.Running;
using Harness.Core.Runs;

namespace Harness.Cli.Commands;

/// <summary>A test whose options were parsed and checked and whose parts were built, not yet run.</summary>
internal sealed record PreparedTest(ISuite Suite, TestOptions Options, TestSpec Spec, bool Plain, string? Junit, bool Json)
{
    /// <summary>The arguments after <c>harness test</c> (database first), as given.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];
}

/// <summary>The command <c>harness test &lt;db&gt;</c> of one suite; <see cref="Prepare"/> turns a parse of it into a
/// checked test without running anything (so <c>test-all</c> can check every cell first).</summary>
internal sealed class SuiteTestCommand(string name, string description) : Command(name, description)
{
    public required Func<ParseResult, PreparedTest> Prepare { get; init; }
}

/// <summary>The reusable entry points of <c>harness test</c>: prepare (parse and check), run, and report.</summary>
internal static partial class TestCommand
{
    private static PreparedTest Prepare(ISuite suite, TestOptions options, bool plain, string? junit, bool json)
    {
        if (junit is not null) JUnitXml.CheckWritable(junit);
        try
        {
            return new PreparedTest(suite, options, suite.CreateTest(options), plain, junit, json);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new UserErrorException(e.Message);
        }
    }

    /// <summary>
    /// Parses and checks the arguments of one <c>harness test &lt;db&gt; ...</c> command (without the word
    /// <c>test</c>) exactly as <c>harness test</c> does, running nothing; bad input is a one-line
    /// <see cref="UserErrorException"/>.
    /// </summary>
    public static PreparedTest Prepare(IReadOnlyList<string> args)
    {
        string[] full = ["test", .. args];
        if (UnknownDatabase(full) is { } unknown) throw new UserErrorException(unknown);
        if (args.Count == 0 || args[0].StartsWith('-'))
            throw new UserErrorException($"name a database first; databases: {string.Join(", ", Suites.Names)}");
        if (args.Any(a => a is "--help" or "-h" or "-?"))
            throw new UserErrorException("--help is not a test");
        var root = new RootCommand();
        root.Subcommands.Add(Create());
        var parse = root.Parse(full);
        if (parse.Errors.Count > 0)
            throw new UserErrorException($"{parse.Errors[0].Message} (see 'harness test {args[0]} --help')");
        if (parse.CommandResult.Command is not SuiteTestCommand command)
            throw new UserErrorException($"name a database: harness test <database> [options]; databases: {string.Join(", ", Suites.Names)}");
        return command.Prepare(parse) with { Args = [.. args] };
    }

    /// <summary>Runs a prepared test and turns whatever happened (also a crash or bad input found only when it
    /// starts, such as a preflight refusal) into an outcome; only cancellation of <paramref name="ct"/> by the
    /// caller escapes (<paramref name="budget"/> expiring does not).</summary>
    public static async Task<TestOutcome> RunToOutcomeAsync(PreparedTest test, TextWriter output, TimeSpan? budget, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (budget is { } b) limit.CancelAfter(b);
        var clock = Stopwatch.StartNew();
        try
        {
            var result = await ExecuteAsync(test, output, limit.Token);
            var overBudget = result.Interrupted && !ct.IsCancellationRequested && limit.IsCancellationRequested;
            return TestOutcome.From(test, result, clock.Elapsed, overBudget ? $"exceeded its budget of {budget!.Value.TotalSeconds:0.#}s" : null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested && limit.IsCancellationRequested)
        {
            return TestOutcome.Failed(test, clock.Elapsed, $"exceeded its budget of {budget!.Value.TotalSeconds:0.#}s before the test ran", null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var reason = e is UserErrorException or ProvisioningException ? e.Message : $"internal error: {e.GetType().Name}: {e.Message}";
            return TestOutcome.Failed(test, clock.Elapsed, reason, null);
        }
    }

    /// <summary><c>harness test &lt;db&gt;</c>: runs one test; <c>--json</c> prints its summary line (the human lines go
    /// to stderr), <c>--junit</c> writes it as JUnit XML. Bad input still escapes as a one-line error (exit 254).</summary>
    private static async Task<int> RunOneAsync(PreparedTest test, ParseResult parse, CancellationToken ct)
    {
        var config = parse.InvocationConfiguration;
        test = test with { Args = [.. parse.Tokens.Select(t => t.Value).SkipWhile(t => t != "test").Skip(1)] };
        var clock = Stopwatch.StartNew();
        var result = await ExecuteAsync(test, test.Json ? config.Error : config.Output, ct, warnings: config.Error);
        var outcome = TestOutcome.From(test, result, clock.Elapsed, null);
        if (test.Json) await config.Output.WriteLineAsync(outcome.ToJsonLine());
        if (test.Junit is { } path) JUnitXml.Write(path, "harness test", [outcome], DateTimeOffset.UtcNow - clock.Elapsed);
        return result.ExitCode;
    }
}
