using System.Diagnostics;
using Harness.Core.Control;

namespace Harness.Provisioning.Netns;

/// <summary>A server started inside a namespace as a direct child: <see cref="Pid"/> is the server's own PID.</summary>
internal sealed class NetnsProcess(Process process, Action<NetnsProcess> onDispose) : IRemoteProcess
{
    public int Pid { get; } = process.Id;

    public bool HasExited
    {
        get
        {
            try { return process.HasExited; }
            catch (InvalidOperationException) { return true; }
        }
    }

    public Task SignalAsync(ProcessSignal signal, bool withChildren, CancellationToken ct)
    {
        if (!HasExited) HostProcesses.SignalTree(Pid, signal, withChildren);
        return Task.CompletedTask;
    }

    public Task WaitForExitAsync(CancellationToken ct) => process.WaitForExitAsync(ct);

    /// <summary>Kills the process (SIGKILL) if it still runs, waits for it to be reaped, and releases it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!HasExited)
        {
            HostProcesses.Send(Pid, HostProcesses.SigKill);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await process.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException) { }
        }
        process.Dispose();
        onDispose(this);
    }
}
