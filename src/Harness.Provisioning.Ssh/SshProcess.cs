using System.Globalization;
using Harness.Core.Control;
using Renci.SshNet;

namespace Harness.Provisioning.Ssh;

/// <summary>
/// A server on a host: its PID (and start time, so a reused PID is never signalled), and the open channel of
/// its supervisor shell, which ends when the server has exited and been reaped. Signals go through one remote
/// <c>kill</c> that lists the server's descendants first (from /proc) and then signals them all.
/// </summary>
internal sealed class SshProcess : IRemoteProcess
{
    private readonly SshRemote _remote;
    private readonly SshCommand _command;
    private readonly Task _run;
    private int _disposed;

    public SshProcess(SshRemote remote, SshCommand command, Task run, int pid, long startTime)
    {
        _remote = remote;
        _command = command;
        _run = run.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        Pid = pid;
        StartTime = startTime;
    }

    public int Pid { get; }

    /// <summary>Clock ticks since the host's boot (field 22 of /proc/PID/stat there).</summary>
    public long StartTime { get; }

    public Node Node => _remote.Node;

    public bool HasExited => _run.IsCompleted;

    public Action<SshProcess>? OnDispose { get; set; }

    /// <summary>Lists the tree (descendants from /proc/PID/task/*/children), checks the root's start time, then signals
    /// all in one loop: stop and kill the root first, continue the descendants first; a kill also continues them.</summary>
    internal const string SignalScript = """
        sig=$0; root=$1; tree=$2; start=$3
        [ "$start" = 0 ] || [ "$(sed 's/.*) //' /proc/$root/stat 2>/dev/null | cut -d' ' -f20)" = "$start" ] || exit 0
        list() { for c in $(cat /proc/$1/task/*/children 2>/dev/null); do echo $c; list $c; done; }
        kids=""; [ "$tree" = 1 ] && kids=$(list $root)
        if [ "$sig" = CONT ]; then kill -CONT $kids $root 2>/dev/null
        else kill -$sig $root $kids 2>/dev/null; [ "$sig" = KILL ] && kill -CONT $root $kids 2>/dev/null; fi
        exit 0
        """;

    public async Task SignalAsync(ProcessSignal signal, bool withChildren, CancellationToken ct)
    {
        if (HasExited) return;
        var name = signal switch { ProcessSignal.Kill => "KILL", ProcessSignal.Stop => "STOP", ProcessSignal.Cont => "CONT", _ => "TERM" };
        await _remote.ExecAsync(["sh", "-c", SignalScript, name, Pid.ToString(CultureInfo.InvariantCulture), withChildren ? "1" : "0",
            StartTime.ToString(CultureInfo.InvariantCulture)], ct);
    }

    public Task WaitForExitAsync(CancellationToken ct) => _run.WaitAsync(ct);

    /// <summary>Kills the server and its descendants if it still runs, waits (bounded) for its supervisor to end, and
    /// closes the channel.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (!HasExited)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await SignalAsync(ProcessSignal.Kill, withChildren: true, cts.Token);
                await _run.WaitAsync(cts.Token);
            }
            catch (Exception) { } // the connection may be gone already; cleanup finds what is left by PID
        }
        _command.Dispose();
        OnDispose?.Invoke(this);
    }
}
