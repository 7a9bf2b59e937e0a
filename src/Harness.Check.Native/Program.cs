using System.CommandLine;
using Harness.Check;

// harness-check FILE... --model M | --workload W [...]: the options of `harness check`, as a Native AOT binary.
// SIGINT and SIGTERM cancel the check (exit 2), as in the CLI.
using var interrupted = new Interruption();

// Re-checking a run directory needs the test suites (the database adapters), which this binary leaves out: it
// refuses one in one line (exit 254); ./harness check sends run directories to the CLI.
var check = CheckCommand.Create();
var root = new RootCommand(check.Description ?? "") { Action = check.Action };
foreach (var argument in check.Arguments) root.Arguments.Add(argument);
foreach (var option in check.Options) root.Options.Add(option);
return await CommandLineApp.InvokeAsync(root.Parse(args), "harness", Console.Out, Console.Error, "harness check", interrupted.Token);
