using System.CommandLine;
using Harness.Check;
using Harness.Core;
using Harness.Core.Checking;
using Harness.Core.Running;

// harness-check FILE... --model M | --workload W [...]: the options of `harness check`, as a Native AOT binary.
// SIGINT and SIGTERM cancel the check (exit 2), as in the CLI.
using var interrupted = new Interruption();

var check = CheckCommand.Create(new RunDirectoriesRefused());
var root = new RootCommand(check.Description ?? "") { Action = check.Action };
foreach (var argument in check.Arguments) root.Arguments.Add(argument);
foreach (var option in check.Options) root.Options.Add(option);
return await CommandLineApp.InvokeAsync(root.Parse(args), "harness", Console.Out, Console.Error, "harness check", interrupted.Token);

/// <summary>
/// Re-checking a run directory needs the test suites (the database adapters), which this binary leaves out: it
/// says so in one line (exit 254). <c>./harness check</c> sends run directories to the CLI itself.
/// </summary>
internal sealed class RunDirectoriesRefused : CheckCommand.IRunDirectories
{
    public bool IsRunDirectory(string path) => Directory.Exists(path) && File.Exists(Path.Combine(path, ResultStore.TestFile));

    public CheckResult Check(string run, Action<string> warn, CancellationToken ct) =>
        throw new UserErrorException($"{run}: a run directory; harness-check checks history files only: re-check a run with ./harness check {run}");

    public CheckResult ForText(CheckResult result) => result;
}
