using Docker.DotNet;
using Harness.Core.Control;

namespace Harness.Provisioning.Docker;

/// <summary>
/// A server started by an exec. Its exit is the end of the exec's attached stream (the server writes to its log
/// file, so the stream carries nothing else). As root, signals go by host PID to the server and its descendants
/// (the container's processes are host processes); otherwise a <c>kill</c> in the container does the same by
/// container PIDs.
/// </summary>
internal sealed class DockerProcess : IRemoteProcess
{
    private readonly DockerRemote _remote;
    private readonly MultiplexedStream _stream;
    private readonly bool _hostPids;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _reading = new();
    private int _disposed;

    public DockerProcess(DockerRemote remote, string execId, int hostPid, MultiplexedStream stream, bool hostPids)
    {
        _remote = remote;
        ExecId = execId;
        HostPid = hostPid;
        _stream = stream;
        _hostPids = hostPids;
        Pid = hostPid > 0 ? HostProcesses.InnerPid(hostPid) : 0;
        _ = DrainAsync();
    }

    public string ExecId { get; }

    /// <summary>The server's PID on the host.</summary>
    public int HostPid { get; }

    /// <summary>The server's PID inside its container.</summary>
    public int Pid { get; }

    public bool HasExited => _exited.Task.IsCompleted;

    public Action<DockerProcess>? OnDispose { get; set; }

    private async Task DrainAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (!(await _stream.ReadOutputAsync(buffer, 0, buffer.Length, _reading.Token)).EOF) { }
        }
        catch (Exception) { } // the connection went away with the container or the daemon: the process is gone
        finally
        {
            _exited.TrySetResult();
        }
    }

    public async Task SignalAsync(ProcessSignal signal, bool withChildren, CancellationToken ct)
    {
        if (HasExited || HostPid <= 0) return;
        if (_hostPids)
        {
            HostProcesses.SignalTree(HostPid, signal, withChildren);
            return;
        }
        // Not root: the same tree walk inside the container (/proc/<pid>/task/*/children), in one exec.
        const string script = """
            sig=$0; root=$1; tree=$2
            list() { for c in $(cat /proc/$1/task/*/children 2>/dev/null); do echo $c; list $c; done; }
            kids=""; [ "$tree" = 1 ] && kids=$(list $root)
            if [ "$sig" = CONT ]; then kill -CONT $kids $root 2>/dev/null
            else kill -$sig $root $kids 2>/dev/null; [ "$sig" = KILL ] && kill -CONT $root $kids 2>/dev/null; fi
            exit 0
            """;
        var name = signal switch { ProcessSignal.Kill => "KILL", ProcessSignal.Stop => "STOP", ProcessSignal.Cont => "CONT", _ => "TERM" };
        await _remote.ExecAsync(["sh", "-c", script, name, Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), withChildren ? "1" : "0"], ct);
    }

    public Task WaitForExitAsync(CancellationToken ct) => _exited.Task.WaitAsync(ct);

    /// <summary>Kills the server if it still runs, waits (bounded) for its exit and closes the stream.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (!HasExited)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await SignalAsync(ProcessSignal.Kill, withChildren: false, cts.Token);
                await _exited.Task.WaitAsync(cts.Token);
            }
            catch (Exception) { } // the container may be gone already
        }
        await _reading.CancelAsync();
        _stream.Dispose();
        _reading.Dispose();
        OnDispose?.Invoke(this);
    }
}
