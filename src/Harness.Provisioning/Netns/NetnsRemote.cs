using System.Diagnostics;
using Harness.Core.Control;

namespace Harness.Provisioning.Netns;

/// <summary>Runs commands in one node's network namespace with <c>ip netns exec</c>.</summary>
internal sealed class NetnsRemote(NetnsCluster cluster, string netns) : IRemote
{
    public string Namespace { get; } = netns;

    public Task<CommandResult> ExecAsync(IReadOnlyList<string> argv, CancellationToken ct) =>
        HostCommand.RunAsync(["ip", "netns", "exec", Namespace, .. argv], ct);

    public async Task<IRemoteProcess> StartAsync(IReadOnlyList<string> argv, string? user, string logPath, CancellationToken ct)
    {
        var group = user is null ? null : (await HostCommand.RunCheckedAsync(["id", "-g", user], ct)).Stdout.Trim();
        // Every step execs in place (ip netns exec, sh's exec, setpriv), so the child's PID is the server's PID.
        var psi = new ProcessStartInfo("ip") { UseShellExecute = false, WorkingDirectory = "/tmp" };
        string[] prefix = ["netns", "exec", Namespace, "sh", "-c", "exec >>\"$0\" 2>&1 </dev/null; exec \"$@\"", logPath];
        foreach (var a in prefix) psi.ArgumentList.Add(a);
        if (user is not null)
            foreach (var a in new[] { "setpriv", $"--reuid={user}", $"--regid={group}", "--init-groups", "--" }) psi.ArgumentList.Add(a);
        foreach (var a in argv) psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {argv[0]} in {Namespace}");
        return cluster.Track(process);
    }
}
