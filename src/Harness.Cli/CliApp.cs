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
        yield return ListCommand.Create();
        yield return ReportCommand.Create();
        yield return ServeCommand.Create();
    }

    public static async Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
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
            var command = parse.CommandResult.Command;
            var path = command == root ? "harness" : $"harness {command.Name}";
            await stderr.WriteLineAsync($"harness: {parse.Errors[0].Message} (see '{path} --help')");
            return ExitBadInput;
        }
        try
        {
            var config = new InvocationConfiguration
            {
                ProcessTerminationTimeout = TimeSpan.FromMinutes(3),
                EnableDefaultExceptionHandler = false,
                Output = stdout,
                Error = stderr,
            };
            return await parse.InvokeAsync(config);
        }
        catch (Exception e) when (e is UserErrorException or HistoryFormatException or ProvisioningException)
        {
            await stderr.WriteLineAsync($"harness: {e.Message}");
            return ExitBadInput;
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync("harness: interrupted");
            return 130;
        }
#pragma warning disable CA1031 // the last line of defence: one line on the terminal, the trace in a file
        catch (Exception e)
#pragma warning restore CA1031
        {
            var crashLog = Path.Combine(Path.GetTempPath(), $"harness-crash-{Environment.ProcessId}.log");
            await File.WriteAllTextAsync(crashLog, e.ToString());
            await stderr.WriteLineAsync($"harness: internal error: {e.GetType().Name}: {e.Message} (details in {crashLog})");
            return ExitCrash;
        }
    }
}
