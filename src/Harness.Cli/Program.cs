using System.Runtime.InteropServices;
using Harness.Cli;

// SIGINT and SIGTERM are caught from the first line on: they cancel the command (which heals, tears down and
// checks) instead of ending the process, even when they arrive while the command is still starting.
using var interrupted = new CancellationTokenSource();
void Interrupt(PosixSignalContext context)
{
    context.Cancel = true;
    interrupted.Cancel();
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
return await CliApp.RunAsync(args, ct: interrupted.Token);
