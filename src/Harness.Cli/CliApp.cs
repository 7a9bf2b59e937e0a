using System.CommandLine;
using Harness.Cli.Commands;
using Harness.Core;
using Harness.Core.Control;
using Harness.Core.Histories;

namespace Harness.Cli;

/// <summary>The composition root: every command, exit codes, and one-line errors for bad input.</summary>
public static class CliApp
{
    public const int ExitBadInput = 254;
    public const int ExitCrash = 255;

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("harness: Jepsen-style consistency testing for real database clusters");
        foreach (var command in Commands()) root.Subcommands.Add(command);
        return root;
    }

    private static IEnumerable<Command> Commands()
    {
        // Each command lives in its own file under Commands/.
        yield return CheckCommand.Create();
        yield return CleanupCommand.Create();
        yield return TestCommand.Create();
        yield return TestAllCommand.Create();
        yield return ListCommand.Create();
        yield return ReportCommand.Create();
        yield return ServeCommand.Create();
    }

    /// <summary>Exit code of a run that was interrupted (Ctrl-C, SIGTERM) at any point: its verdict is unknown.</summary>
    public const int ExitUnknown = 2;

    /// <summary>The command whose help shows the options of the command parsed (e.g. "harness test postgres").</summary>
    internal static string HelpPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent) names.Insert(0, result.Command.Name);
        return string.Join(' ', ["harness", .. names]);
    }

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
        if (parse.Errors.Count > 0)
        {
            await stderr.WriteLineAsync($"harness: {parse.Errors[0].Message} (see '{HelpPath(parse)} --help')");
            return ExitBadInput;
        }
        try
        {
            var config = new InvocationConfiguration
            {
                ProcessTerminationTimeout = null, // signals are handled by Program.cs from the first line on
                EnableDefaultExceptionHandler = false,
                Output = stdout,
                Error = stderr,
            };
            return await parse.InvokeAsync(config, ct);
        }
        catch (Exception e) when (e is UserErrorException or HistoryFormatException or ProvisioningException)
        {
            await stderr.WriteLineAsync($"harness: {e.Message}");
            return ExitBadInput;
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync("harness: interrupted before the test ran; nothing was left behind");
            return ExitUnknown;
        }
#pragma warning disable CA1031 // the last line of defence: one line on the terminal, the trace in a file
        catch (Exception e)
#pragma warning restore CA1031
        {
            var (crashLog, problem) = CrashLog.Write(e);
            await stderr.WriteLineAsync($"harness: internal error: {e.GetType().Name}: {e.Message} ({(crashLog is not null ? $"details in {crashLog}" : $"no crash log: {problem}")})");
            return ExitCrash;
        }
    }
}
