using Harness.Check;
using Harness.Cli;

// SIGINT and SIGTERM are caught from the first line on: they cancel the command (which heals, tears down and
// checks) instead of ending the process, even when they arrive while the command is still starting.
using var interrupted = new Interruption();
return await CliApp.RunAsync(args, ct: interrupted.Token);
