using System.Diagnostics;
using Harness.Core.Control;

namespace Harness.Provisioning.Netns;

/// <summary>Runs commands in one node's network namespace with <c>ip netns exec</c>. Namespaces share the
/// host's filesystem, so files are read and written directly.</summary>
internal sealed class NetnsRemote(NetnsCluster cluster, string netns, Node node, string directory) : IRemote
{
    public string Namespace { get; } = netns;

    public Node Node { get; } = node;

    public string Directory { get; } = directory;

    public string LogDirectory => Path.Combine(Directory, "log");

    public Task<CommandResult> ExecAsync(IReadOnlyList<string> argv, CancellationToken ct, string? stdin = null) =>
        HostCommand.RunAsync(["ip", "netns", "exec", Namespace, .. argv], ct, stdin);

    public async Task<IRemoteProcess> StartAsync(ServerSpec spec, CancellationToken ct)
    {
        var group = spec.User is null ? null : (await HostCommand.RunCheckedAsync(["id", "-g", spec.User], ct)).Stdout.Trim();
        // Every step execs in place (ip netns exec, sh's exec, setpriv), so the child's PID is the server's PID.
        var psi = new ProcessStartInfo("ip") { UseShellExecute = false, WorkingDirectory = "/tmp" };
        string[] prefix = ["netns", "exec", Namespace, "sh", "-c", "exec >>\"$0\" 2>&1 </dev/null; exec \"$@\"", spec.LogPath];
        foreach (var a in prefix) psi.ArgumentList.Add(a);
        if (spec.User is not null)
            foreach (var a in new[] { "setpriv", $"--reuid={spec.User}", $"--regid={group}", "--init-groups", "--" }) psi.ArgumentList.Add(a);
        foreach (var a in spec.Argv) psi.ArgumentList.Add(a);
        foreach (var (k, v) in spec.Environment) psi.Environment[k] = v;
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {spec.Argv[0]} in {Namespace}");
        return cluster.Track(process);
    }

    public async Task WriteFileAsync(string path, string content, CancellationToken ct, string? owner = null)
    {
        await File.WriteAllTextAsync(path, content, ct);
        if (owner is not null) await HostCommand.RunCheckedAsync(["chown", $"{owner}:", path], ct);
    }

    public async Task<string?> ReadFileAsync(string path, CancellationToken ct)
    {
        try { return await File.ReadAllTextAsync(path, ct); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
    }

    public async Task DownloadAsync(string path, string localPath, CancellationToken ct)
    {
        await using var src = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        await using var dst = File.Create(localPath);
        await src.CopyToAsync(dst, ct);
    }
}
