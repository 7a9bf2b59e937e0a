namespace Harness.Core.Control;

/// <summary>
/// Everything a database adapter does to one node (Jepsen's <c>jepsen.control.remote/Remote</c>): run a command,
/// start a server and keep a handle to it, write and read files. The netns, Docker and SSH provisioners each
/// implement it; an adapter never knows which one it runs on. Commands are argument vectors, never shell strings
/// built from user input. Paths are the node's own paths (inside the namespace, container or host).
/// </summary>
public interface IRemote
{
    /// <summary>The node this remote acts on (its name and the address clients and peers use).</summary>
    Node Node { get; }

    /// <summary>A directory private to this run on the node, for data, sockets and configuration (short path,
    /// traversable by database users such as postgres or mysql). Removed when the cluster is disposed.</summary>
    string Directory { get; }

    /// <summary>Where the node's server logs go; everything under it is collected into results/&lt;run&gt;/logs/&lt;node&gt;/.</summary>
    string LogDirectory { get; }

    /// <summary>Runs a command to completion and returns its output; never throws for a non-zero exit.
    /// <paramref name="stdin"/>, when given, is written to the command's standard input.</summary>
    Task<CommandResult> ExecAsync(IReadOnlyList<string> argv, CancellationToken ct, string? stdin = null);

    /// <summary>
    /// Starts a long-running process (a database server) with its stdout and stderr appended to
    /// <see cref="ServerSpec.LogPath"/>. The handle acts on the server's own process (and its children), so
    /// kill and pause reach exactly it, on every provisioner.
    /// </summary>
    Task<IRemoteProcess> StartAsync(ServerSpec spec, CancellationToken ct);

    /// <summary>Writes (creates or replaces) a file on the node, owned by <paramref name="owner"/> when given.</summary>
    Task WriteFileAsync(string path, string content, CancellationToken ct, string? owner = null);

    /// <summary>Reads a file on the node; null when it does not exist.</summary>
    Task<string?> ReadFileAsync(string path, CancellationToken ct);

    /// <summary>Copies a file from the node to <paramref name="localPath"/> on the controller (logs; any size).</summary>
    Task DownloadAsync(string path, string localPath, CancellationToken ct);
}

/// <summary>A server to start: its argument vector, the user it runs as (null: the remote's user), where its
/// output goes, and extra environment variables.</summary>
public sealed record ServerSpec(IReadOnlyList<string> Argv, string LogPath)
{
    public string? User { get; init; }
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}

/// <summary>The signals a nemesis or adapter sends to a server.</summary>
public enum ProcessSignal
{
    Kill = 9,
    Term = 15,
    Cont = 18,
    Stop = 19,
}

/// <summary>A process started by <see cref="IRemote.StartAsync"/>. Disposing kills it (if it still runs) and releases it.</summary>
public interface IRemoteProcess : IAsyncDisposable
{
    /// <summary>The server's PID as the node sees it (for logs; signals go through <see cref="SignalAsync"/>).</summary>
    int Pid { get; }

    bool HasExited { get; }

    /// <summary>
    /// Sends a signal to the server, or with <paramref name="withChildren"/> to it and every descendant at (nearly)
    /// one instant, as a crash or a freeze would hit a multi-process server: stop and kill reach the server first
    /// (so it forks no more), continue reaches the descendants first. A kill of the tree also continues it, so a
    /// stopped process dies at once.
    /// </summary>
    Task SignalAsync(ProcessSignal signal, bool withChildren, CancellationToken ct);

    /// <summary>Waits until the process has exited and been reaped.</summary>
    Task WaitForExitAsync(CancellationToken ct);
}
