namespace Harness.Core.Control;

/// <summary>Runs commands on one node (inside its network namespace, container or over SSH).</summary>
public interface IRemote
{
    /// <summary>Runs a command to completion and returns its output; never throws for a non-zero exit.</summary>
    Task<CommandResult> ExecAsync(IReadOnlyList<string> argv, CancellationToken ct);

    /// <summary>
    /// Starts a long-running process (a database server) as a direct child of the harness, with stdout and
    /// stderr appended to <paramref name="logPath"/>, running as <paramref name="user"/> when given.
    /// The returned handle's PID is the server's own PID, so signals reach it exactly.
    /// </summary>
    Task<IRemoteProcess> StartAsync(IReadOnlyList<string> argv, string? user, string logPath, CancellationToken ct);
}

/// <summary>A process started by <see cref="IRemote.StartAsync"/>.</summary>
public interface IRemoteProcess : IAsyncDisposable
{
    int Pid { get; }
    bool HasExited { get; }

    /// <summary>Sends a signal (SIGKILL 9, SIGTERM 15, SIGSTOP 19, SIGCONT 18) to the process by PID.</summary>
    void Signal(int signal);

    /// <summary>Waits until the process has exited and been reaped.</summary>
    Task WaitForExitAsync(CancellationToken ct);
}
