using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Harness.Core.Control;

namespace Harness.Provisioning.Docker;

/// <summary>
/// One container as a node: commands through the exec API (stdout and stderr demultiplexed from the attached
/// stream), servers as long-running execs whose host PID the cluster signals, files through exec (write, read)
/// and the archive API (download). <see cref="Directory"/> is a tmpfs inside the container.
/// </summary>
internal sealed class DockerRemote(DockerCluster cluster, string containerId, int initPid, Node node) : IRemote
{
    /// <summary>Every node's private directory inside its container (a tmpfs, like the netns provisioner's /dev/shm).</summary>
    public const string NodeDirectory = "/harness";

    public Node Node { get; } = node;

    public string ContainerId { get; } = containerId;

    /// <summary>The host PID of the container's init (its network namespace is the node's).</summary>
    public int InitPid { get; } = initPid;

    public string Directory => NodeDirectory;

    public string LogDirectory => $"{NodeDirectory}/log";

    private DockerClient Client => cluster.Client;

    public async Task<CommandResult> ExecAsync(IReadOnlyList<string> argv, CancellationToken ct, string? stdin = null)
    {
        var exec = await Client.Exec.CreateContainerExecAsync(ContainerId, new ContainerExecCreateParameters
        {
            Cmd = [.. argv],
            AttachStdout = true,
            AttachStderr = true,
            AttachStdin = stdin is not null,
            User = "root",
            WorkingDir = "/",
        }, ct);
        string stdout, stderr;
        using (var stream = await Client.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters { Detach = false, TTY = false }, ct))
        {
            if (stdin is not null)
            {
                var bytes = Encoding.UTF8.GetBytes(stdin);
                await stream.WriteAsync(bytes, 0, bytes.Length, ct);
                stream.CloseWrite();
            }
            (stdout, stderr) = await stream.ReadOutputToEndAsync(ct);
        }
        var inspect = await Client.Exec.InspectContainerExecAsync(exec.ID, ct);
        for (var i = 0; inspect.Running && i < 100; i++)
        {
            await Task.Delay(10, ct);
            inspect = await Client.Exec.InspectContainerExecAsync(exec.ID, ct);
        }
        return new CommandResult((int)(inspect.ExitCode ?? 255), stdout, stderr);
    }

    public async Task<IRemoteProcess> StartAsync(ServerSpec spec, CancellationToken ct)
    {
        var group = spec.User is null ? null : (await this.ExecCheckedAsync(["id", "-g", spec.User], ct)).Stdout.Trim();
        // sh redirects to the log, then every step execs in place (sh, setpriv), so the exec's PID is the server's PID.
        List<string> cmd = ["sh", "-c", "exec >>\"$0\" 2>&1 </dev/null; exec \"$@\"", spec.LogPath];
        if (spec.User is not null) cmd.AddRange(["setpriv", $"--reuid={spec.User}", $"--regid={group}", "--init-groups", "--"]);
        cmd.AddRange(spec.Argv);
        var exec = await Client.Exec.CreateContainerExecAsync(ContainerId, new ContainerExecCreateParameters
        {
            Cmd = cmd,
            AttachStdout = true,
            AttachStderr = true,
            User = "root",
            WorkingDir = "/",
            Env = [.. spec.Environment.Select(kv => $"{kv.Key}={kv.Value}")],
        }, ct);
        var stream = await Client.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters { Detach = false, TTY = false }, ct);
        var inspect = await Client.Exec.InspectContainerExecAsync(exec.ID, ct);
        for (var i = 0; inspect.Pid == 0 && inspect.Running && i < 200; i++)
        {
            await Task.Delay(10, ct);
            inspect = await Client.Exec.InspectContainerExecAsync(exec.ID, ct);
        }
        return cluster.Track(new DockerProcess(this, exec.ID, (int)inspect.Pid, stream, cluster.UseHostPids));
    }

    public async Task WriteFileAsync(string path, string content, CancellationToken ct, string? owner = null)
    {
        var argv = new[] { "sh", "-c", "cat >\"$0\" && { [ -z \"$1\" ] || chown \"$1:\" \"$0\"; }", path, owner ?? "" };
        (await ExecAsync(argv, ct, content)).EnsureSuccess(argv);
    }

    public async Task<string?> ReadFileAsync(string path, CancellationToken ct)
    {
        var result = await ExecAsync(["sh", "-c", "[ -f \"$0\" ] || exit 66; exec cat \"$0\"", path], ct);
        if (result.ExitCode == 66) return null;
        return result.EnsureSuccess(["cat", path]).Stdout;
    }

    /// <summary>Streams the file out of an exec of <c>cat</c> (demultiplexed, any size). Not the archive API: it
    /// does not see tmpfs mounts such as <see cref="NodeDirectory"/>.</summary>
    public async Task DownloadAsync(string path, string localPath, CancellationToken ct)
    {
        var exec = await Client.Exec.CreateContainerExecAsync(ContainerId, new ContainerExecCreateParameters
        {
            Cmd = ["sh", "-c", "[ -f \"$0\" ] || exit 66; exec cat \"$0\"", path],
            AttachStdout = true,
            AttachStderr = true,
            User = "root",
            WorkingDir = "/",
        }, ct);
        using var errors = new MemoryStream();
        await using (var dst = File.Create(localPath))
        using (var stream = await Client.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters { Detach = false, TTY = false }, ct))
            await stream.CopyOutputToAsync(Stream.Null, dst, errors, ct);
        var inspect = await Client.Exec.InspectContainerExecAsync(exec.ID, ct);
        for (var i = 0; inspect.Running && i < 100; i++)
        {
            await Task.Delay(10, ct);
            inspect = await Client.Exec.InspectContainerExecAsync(exec.ID, ct);
        }
        if (inspect.ExitCode == 0) return;
        File.Delete(localPath);
        if (inspect.ExitCode == 66) throw new FileNotFoundException($"{path} not found on {Node}", path);
        throw new IOException($"cannot read {path} on {Node}: {Encoding.UTF8.GetString(errors.ToArray()).Trim()}");
    }
}
