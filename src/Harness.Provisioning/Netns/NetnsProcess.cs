using System.Diagnostics;
using System.Globalization;
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
        if (HasExited) return Task.CompletedTask;
        if (!withChildren)
        {
            NativeSignals.Send(Pid, (int)signal);
            return Task.CompletedTask;
        }
        // Listed first, then signalled in one tight loop: the whole tree stops (or dies) at nearly one instant.
        var descendants = DescendantsOf(Pid);
        List<int> order = signal == ProcessSignal.Cont ? [.. descendants, Pid] : [Pid, .. descendants];
        foreach (var pid in order) NativeSignals.Send(pid, (int)signal);
        if (signal == ProcessSignal.Kill)
            foreach (var pid in order) NativeSignals.Send(pid, (int)ProcessSignal.Cont);
        return Task.CompletedTask;
    }

    public Task WaitForExitAsync(CancellationToken ct) => process.WaitForExitAsync(ct);

    /// <summary>Kills the process (SIGKILL) if it still runs, waits for it to be reaped, and releases it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!HasExited)
        {
            NativeSignals.Send(Pid, NativeSignals.SigKill);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await process.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException) { }
        }
        process.Dispose();
        onDispose(this);
    }

    /// <summary>Every descendant of <paramref name="root"/> (children before grandchildren), from /proc.</summary>
    internal static List<int> DescendantsOf(int root)
    {
        var parents = new Dictionary<int, List<int>>();
        foreach (var dir in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ppid = int.Parse(fields[1], CultureInfo.InvariantCulture);
                if (!parents.TryGetValue(ppid, out var children)) parents[ppid] = children = [];
                children.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        var result = new List<int>();
        var queue = new Queue<int>([root]);
        while (queue.TryDequeue(out var p))
            foreach (var child in parents.GetValueOrDefault(p) ?? [])
            {
                result.Add(child);
                queue.Enqueue(child);
            }
        return result;
    }
}
