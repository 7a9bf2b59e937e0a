using System.CommandLine;
using Harness.Core;
using Harness.Core.Control;
using Harness.Core.Histories;

namespace Harness.Check;

/// <summary>
/// How a parsed command line is run, for the CLI and for <c>harness-check</c> alike: a parse error or bad input is
/// one line and exit 254, an interruption exit 2, an internal error one line and exit 255 with the trace in a
/// <see cref="CrashLog"/>.
/// </summary>
public static class CommandLineApp
{
    public const int ExitBadInput = 254;
    public const int ExitCrash = 255;

    /// <summary>Exit code of a run that was interrupted (Ctrl-C, SIGTERM) at any point: its verdict is unknown.</summary>
    public const int ExitUnknown = 2;

    /// <summary>The command whose help shows the options of the command parsed (e.g. "harness test postgres").</summary>
    public static string HelpPath(ParseResult parse, string program)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent) names.Insert(0, result.Command.Name);
        return string.Join(' ', [program, .. names]);
    }

    /// <summary>
    /// Invokes <paramref name="parse"/>; <paramref name="ct"/> is cancelled by SIGINT/SIGTERM. A parse error points
    /// to <c>--help</c> of <paramref name="helpCommand"/>, by default the command parsed.
    /// </summary>
    public static async Task<int> InvokeAsync(ParseResult parse, string program, TextWriter stdout, TextWriter stderr, string? helpCommand, CancellationToken ct)
    {
        if (parse.Errors.Count > 0)
        {
            await stderr.WriteLineAsync($"{program}: {parse.Errors[0].Message} (see '{helpCommand ?? HelpPath(parse, program)} --help')");
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
            await stderr.WriteLineAsync($"{program}: {e.Message}");
            return ExitBadInput;
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync($"{program}: interrupted before the test ran; nothing was left behind");
            return ExitUnknown;
        }
#pragma warning disable CA1031 // the last line of defence: one line on the terminal, the trace in a file
        catch (Exception e)
#pragma warning restore CA1031
        {
            var (crashLog, problem) = CrashLog.Write(e);
            await stderr.WriteLineAsync($"{program}: internal error: {e.GetType().Name}: {e.Message} ({(crashLog is not null ? $"details in {crashLog}" : $"no crash log: {problem}")})");
            return ExitCrash;
        }
    }
}
