using System.Globalization;
using System.Text;
using Harness.Core.Control;
using Renci.SshNet.Common;

namespace Harness.Provisioning.Ssh;

/// <summary>
/// One host as a node: commands as exec channels on the host's one SSH connection, files over SFTP (through
/// <c>sudo -n cat</c> when the login user is not root), servers started detached in their own session with a
/// supervisor shell that stays on an open channel and reaps them (<see cref="SshProcess"/>).
/// </summary>
internal sealed class SshRemote(SshCluster cluster, SshHost host, Node node, string directory) : IRemote
{
    private int _servers;

    public Node Node { get; } = node;

    public SshHost Host { get; } = host;

    public string Directory { get; } = directory;

    public string LogDirectory => Directory + "/log";

    public Task<CommandResult> ExecAsync(IReadOnlyList<string> argv, CancellationToken ct, string? stdin = null) => Host.ExecAsync(argv, ct, stdin);

    /// <summary>The supervisor: starts the server under <c>setsid</c> (its own session and process group; no fork, so
    /// the PID written to the pid file is the server's), with output appended to its log, then waits for it (so it
    /// is reaped at once, no zombie) and ends the channel: the channel's end is the server's exit.</summary>
    private const string Supervisor = """
        p=$1; l=$2; shift 2
        setsid sh -c 'echo $$ >"$0"; l=$1; shift; exec >>"$l" 2>&1 </dev/null; exec "$@"' "$p" "$l" "$@" </dev/null >/dev/null 2>&1 &
        c=$!; wait $c; echo "exit $?"
        """;

    /// <summary>Waits for the pid file, then prints the PID and its start time (field 22 of /proc/PID/stat).</summary>
    private const string ReadPid = """
        i=0; while [ ! -s "$0" ]; do i=$((i+1)); [ $i -gt 1000 ] && exit 3; sleep 0.01; done
        p=$(cat "$0"); s=$(sed 's/.*) //' /proc/$p/stat 2>/dev/null | cut -d' ' -f20); echo "$p ${s:-0}"
        """;

    public async Task<IRemoteProcess> StartAsync(ServerSpec spec, CancellationToken ct)
    {
        var group = spec.User is null ? null : (await this.ExecCheckedAsync(["id", "-g", spec.User], ct)).Stdout.Trim();
        var pidFile = $"{cluster.PidDirectory}/{Node.Name}-{Interlocked.Increment(ref _servers).ToString(CultureInfo.InvariantCulture)}.pid";
        List<string> argv = ["sh", "-c", Supervisor, "harness-supervisor", pidFile, spec.LogPath];
        if (spec.Environment.Count > 0) argv.AddRange(["env", .. spec.Environment.Select(kv => $"{kv.Key}={kv.Value}")]);
        if (spec.User is not null) argv.AddRange(["setpriv", $"--reuid={spec.User}", $"--regid={group}", "--init-groups", "--"]);
        argv.AddRange(spec.Argv);
        var (command, run) = Host.Start(argv, CancellationToken.None);
        var started = await Host.ExecAsync(["sh", "-c", ReadPid, pidFile], ct);
        var fields = started.Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (!started.Succeeded || fields.Length != 2 || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            command.Dispose();
            throw new RemoteCommandException(spec.Argv, started.Succeeded ? started with { ExitCode = 3, Stderr = "no pid file" } : started);
        }
        var startTime = long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;
        return cluster.Track(new SshProcess(this, command, run, pid, startTime));
    }

    public async Task WriteFileAsync(string path, string content, CancellationToken ct, string? owner = null)
    {
        if (Host.Settings.Sudo)
        {
            string[] argv = ["sh", "-c", "cat >\"$0\" && { [ -z \"$1\" ] || chown \"$1:\" \"$0\"; }", path, owner ?? ""];
            (await ExecAsync(argv, ct, content)).EnsureSuccess(argv);
            return;
        }
        var sftp = await Host.SftpAsync(ct);
        using (var stream = new MemoryStream(Encoding.UTF8.GetBytes(content)))
            await sftp.UploadFileAsync(stream, path, ct);
        if (owner is not null) await this.ExecCheckedAsync(["chown", $"{owner}:", path], ct);
    }

    public async Task<string?> ReadFileAsync(string path, CancellationToken ct)
    {
        if (Host.Settings.Sudo)
        {
            var result = await ExecAsync(["sh", "-c", "[ -f \"$0\" ] || exit 66; exec cat \"$0\"", path], ct);
            return result.ExitCode == 66 ? null : result.EnsureSuccess(["cat", path]).Stdout;
        }
        var sftp = await Host.SftpAsync(ct);
        using var buffer = new MemoryStream();
        try
        {
            await sftp.DownloadFileAsync(path, buffer, ct);
        }
        catch (SftpPathNotFoundException)
        {
            return null;
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public async Task DownloadAsync(string path, string localPath, CancellationToken ct)
    {
        if (Host.Settings.Sudo)
        {
            var result = await ExecAsync(["sh", "-c", "[ -f \"$0\" ] || exit 66; exec cat \"$0\"", path], ct);
            if (result.ExitCode == 66) throw new FileNotFoundException($"{path} not found on {Node}", path);
            await File.WriteAllTextAsync(localPath, result.EnsureSuccess(["cat", path]).Stdout, ct);
            return;
        }
        var sftp = await Host.SftpAsync(ct);
        try
        {
            await using var dst = File.Create(localPath);
            await sftp.DownloadFileAsync(path, dst, ct);
        }
        catch (SftpPathNotFoundException)
        {
            File.Delete(localPath);
            throw new FileNotFoundException($"{path} not found on {Node}", path);
        }
    }
}
