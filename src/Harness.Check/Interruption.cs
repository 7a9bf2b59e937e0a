using System.Runtime.InteropServices;

namespace Harness.Check;

/// <summary>
/// SIGINT and SIGTERM, caught from the first line of a program on: they cancel <see cref="Token"/> (the command
/// then heals, tears down and checks, or stops checking) instead of ending the process, even when they arrive while
/// the command is still starting. Used by the CLI and by <c>harness-check</c>.
/// </summary>
public sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _interrupted = new();
    private readonly PosixSignalRegistration _sigint;
    private readonly PosixSignalRegistration _sigterm;

    public Interruption()
    {
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
    }

    /// <summary>Cancelled by the first SIGINT or SIGTERM.</summary>
    public CancellationToken Token => _interrupted.Token;

    public void Dispose()
    {
        _sigint.Dispose();
        _sigterm.Dispose();
        _interrupted.Dispose();
    }

    private void Interrupt(PosixSignalContext context)
    {
        context.Cancel = true;
        _interrupted.Cancel();
    }
}
