using System.Diagnostics;
using Harness.Provisioning;
using Harness.Provisioning.Docker;

namespace Harness.Integration.Tests;

/// <summary>
/// A Docker daemon that is not the harness's, started by a test as a user would run one: its own bridge and exec
/// root, no iptables management, on the image cache's data root (whose lock it holds, so no private daemon of the
/// harness uses that data root meanwhile). Disposing stops it and removes its bridge and directory.
/// </summary>
internal sealed class UserDockerd : IAsyncDisposable
{
    private readonly FileStream _dataLock;
    private readonly Process _process;
    private int _disposed;

    private UserDockerd(string home, string bridge, FileStream dataLock, Process process)
    {
        Home = home;
        Bridge = bridge;
        _dataLock = dataLock;
        _process = process;
    }

    public string Home { get; }

    public string Bridge { get; }

    public int Pid => _process.Id;

    public string Socket => $"unix://{Home}/docker.sock";

    public static async Task<UserDockerd> StartAsync()
    {
        var hex = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(2));
        var home = $"/run/harness-test-dockerd-{hex}";
        var bridge = $"hx{hex}";
        Directory.CreateDirectory(home);
        Directory.CreateDirectory(DockerDaemon.CacheRoot);
        var dataLock = new FileStream(Path.Combine(DockerDaemon.CacheRoot, "data.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        await HostCommand.RunCheckedAsync(["ip", "link", "add", bridge, "type", "bridge"], CancellationToken.None);
        await HostCommand.RunCheckedAsync(["ip", "addr", "add", $"10.79.{await DockerProvisioner.FreeSubnetAsync(CancellationToken.None)}.1/24", "dev", bridge], CancellationToken.None);
        await File.WriteAllTextAsync($"{home}/daemon.json", "{}\n");
        var process = Process.Start(new ProcessStartInfo("dockerd", ["--config-file", $"{home}/daemon.json", "--host", $"unix://{home}/docker.sock",
            "--data-root", Path.Combine(DockerDaemon.CacheRoot, "data"), "--exec-root", home, "--pidfile", $"{home}/dockerd.pid", "--bridge", bridge,
            "--iptables=false", "--ip-forward=false", "--ip-masq=false", "--log-level", "warn"]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var daemon = new UserDockerd(home, bridge, dataLock, process);
        var clock = Stopwatch.StartNew();
        while (!await DockerDaemon.AnswersAsync(new Uri(daemon.Socket), CancellationToken.None))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60) || process.HasExited)
            {
                await daemon.DisposeAsync();
                throw new InvalidOperationException("the test's dockerd did not answer within 60 s");
            }
            await Task.Delay(100);
        }
        return daemon;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (!_process.HasExited)
        {
            Syscalls.Kill(_process.Id, 15);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        await HostCommand.RunAsync(["ip", "link", "del", Bridge], CancellationToken.None);
        await DockerDaemon.UnmountBelowAsync(Home);
        Directory.Delete(Home, recursive: true);
        await _dataLock.DisposeAsync();
    }
}
