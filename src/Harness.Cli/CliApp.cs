using System.CommandLine;
using Harness.Check;
using Harness.Cli.Commands;

namespace Harness.Cli;

/// <summary>The composition root: every command, exit codes, and one-line errors for bad input.</summary>
public static class CliApp
{
    public const int ExitBadInput = CommandLineApp.ExitBadInput;
    public const int ExitCrash = CommandLineApp.ExitCrash;

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("harness: Jepsen-style consistency testing for real database clusters");
        foreach (var command in Commands()) root.Subcommands.Add(command);
        return root;
    }

    private static IEnumerable<Command> Commands()
    {
        // Each command lives in its own file under Commands/.
        yield return CheckCommand.Create(RunRecheck.Directories);
        yield return CleanupCommand.Create();
        yield return TestCommand.Create();
        yield return TestAllCommand.Create();
        yield return ListCommand.Create();
        yield return ReportCommand.Create();
        yield return ServeCommand.Create();
    }

    /// <summary>Exit code of a run that was interrupted (Ctrl-C, SIGTERM) at any point: its verdict is unknown.</summary>
    public const int ExitUnknown = CommandLineApp.ExitUnknown;

    /// <summary>Runs the command line; <paramref name="ct"/> is cancelled by SIGINT/SIGTERM (see Program.cs).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null, CancellationToken ct = default)
    {
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        var root = BuildRoot();
        var parse = root.Parse(args);
        if (TestCommand.UnknownDatabase(args) is { } unknown)
        {
            await stderr.WriteLineAsync($"harness: {unknown}");
            return ExitBadInput;
        }
        return await CommandLineApp.InvokeAsync(parse, "harness", stdout, stderr, helpCommand: null, ct);
    }
}
