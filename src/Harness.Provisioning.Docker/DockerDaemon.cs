using System.Diagnostics;
using System.Globalization;
using Docker.DotNet;
using Harness.Core.Control;

namespace Harness.Provisioning.Docker;

/// <summary>
/// The Docker daemon a run talks to: one that answers at DOCKER_HOST or /var/run/docker.sock, or (as root, when
/// none does) a private dockerd started for the run and stopped when the run's cluster is disposed. The private
/// daemon has its own data root (kept as the image cache), exec root, socket and pid file, manages no iptables
/// rules (<c>--iptables=false --ip-forward=false --ip-masq=false</c>) and its default bridge is one of its own
/// (<c>-b hk&lt;id&gt;</c>, pre-created with a private address), so it never touches another daemon's docker0 or chains.
/// </summary>
internal sealed class DockerDaemon : IAsyncDisposable
{
    /// <summary>Engine API 1.41 (Docker 20.10, Debian 12's docker.io) or newer.</summary>
    public static readonly Version MinimumApi = new(1, 41);

    public const string DefaultSocket = "/var/run/docker.sock";

    /// <summary>Where the private daemons keep their data root (images: the cache), reused by every run.</summary>
    public static string CacheRoot => Environment.GetEnvironmentVariable("HARNESS_DOCKER_CACHE") is { Length: > 0 } c ? c : "/var/cache/harness/docker";

    /// <summary>Per-run exec roots and sockets of private daemons: /run/harness-docker/&lt;id&gt;.</summary>
    public const string RunRoot = "/run/harness-docker";

    private Process? _process;
    private FileStream? _dataLock;
    private string? _bridge;
    private string? _execRoot;
    private int _disposed;

    private DockerDaemon(DockerClient client, Uri endpoint, bool isPrivate)
    {
        Client = client;
        Endpoint = endpoint;
        IsPrivate = isPrivate;
    }

    public DockerClient Client { get; private set; }

    public Uri Endpoint { get; }

    /// <summary>True when the harness started this daemon for the run (and stops it on dispose).</summary>
    public bool IsPrivate { get; }

    public Version ApiVersion { get; private set; } = MinimumApi;

    /// <summary>The daemon's host PID (private daemons only).</summary>
    public int? Pid => _process?.Id;

    /// <summary>The endpoint of a daemon that answers (DOCKER_HOST, then the default socket), or null; throws when
    /// DOCKER_HOST is set but does not answer (a wrong DOCKER_HOST is never silently replaced).</summary>
    public static async Task<Uri?> FindExistingAsync(CancellationToken ct)
    {
        if (Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host)
        {
            if (!Uri.TryCreate(host, UriKind.Absolute, out var uri))
                throw new ProvisioningException($"DOCKER_HOST={host} is not a URI; set it to e.g. unix:///var/run/docker.sock, or unset it");
            if (await AnswersAsync(uri, ct)) return uri;
            throw new ProvisioningException($"no Docker daemon answers at DOCKER_HOST={host}; start it, or unset DOCKER_HOST so that harness uses {DefaultSocket} or (as root) a private dockerd");
        }
        var socket = new Uri($"unix://{DefaultSocket}");
        return File.Exists(DefaultSocket) && await AnswersAsync(socket, ct) ? socket : null;
    }

    internal static DockerClient Connect(Uri endpoint) =>
        new DockerClientBuilder().WithEndpoint(endpoint).WithTimeout(Timeout.InfiniteTimeSpan).Build();

    internal static async Task<bool> AnswersAsync(Uri endpoint, CancellationToken ct)
    {
        using var client = Connect(endpoint);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            await client.System.PingAsync(cts.Token);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Connects to an existing daemon and checks its API version.</summary>
    public static async Task<DockerDaemon> AttachAsync(Uri endpoint, CancellationToken ct)
    {
        var daemon = new DockerDaemon(Connect(endpoint), endpoint, isPrivate: false);
        try
        {
            await daemon.CheckVersionAsync(ct);
            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }
    }

    private async Task CheckVersionAsync(CancellationToken ct)
    {
        var version = await Client.System.GetVersionAsync(ct);
        if (!Version.TryParse(version.APIVersion, out var api) || api < MinimumApi)
            throw new ProvisioningException($"the Docker daemon at {Endpoint} speaks Engine API {version.APIVersion} (Docker {version.Version}); harness needs API {MinimumApi} (Docker 20.10) or newer: upgrade Docker (Debian 12: apt-get install docker.io)");
        ApiVersion = api;
    }

    /// <summary>Starts a private dockerd for run <paramref name="id"/>; its default bridge hk&lt;id&gt; gets 10.79.&lt;subnet&gt;.1/24.
    /// The exec root, the bridge and the daemon's endpoint are recorded in <paramref name="ledger"/> before they are
    /// made, the daemon's PID as soon as it is started.</summary>
    public static async Task<DockerDaemon> StartPrivateAsync(string id, int subnet, TextWriter status, RunLedger? ledger, CancellationToken ct)
    {
        var execRoot = Path.Combine(RunRoot, id);
        var dataRoot = Path.Combine(CacheRoot, "data");
        var socket = Path.Combine(execRoot, "docker.sock");
        var endpoint = new Uri($"unix://{socket}");
        var daemon = new DockerDaemon(Connect(endpoint), endpoint, isPrivate: true) { _execRoot = execRoot };
        try
        {
            var bridge = $"hk{id}";
            ledger?.Add(new RunResource(DockerLeftovers.Directory, execRoot), new RunResource(DockerLeftovers.Bridge, bridge),
                new RunResource(DockerLeftovers.Endpoint, endpoint.ToString()), new RunResource(DockerLeftovers.DataRoot, dataRoot));
            // One private daemon per data root at a time (two would share containerd's and the image store's state).
            Directory.CreateDirectory(CacheRoot);
            try
            {
                daemon._dataLock = new FileStream(Path.Combine(CacheRoot, "data.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                throw new ProvisioningException($"another harness run uses the private Docker daemon's data root {dataRoot}; wait until it ends, or share one daemon by starting dockerd and setting DOCKER_HOST");
            }
            // The lock dies with its harness; a dockerd of a killed run may still use the data root.
            if (DaemonsUsing(dataRoot).FirstOrDefault() is var (stale, staleRoot) && stale > 0)
                throw new ProvisioningException($"the private dockerd of a killed run (pid {stale}, exec root {staleRoot}) still uses the data root {dataRoot}; run 'harness cleanup'");
            Directory.CreateDirectory(execRoot);
            Directory.CreateDirectory(dataRoot);
            await HostCommand.RunCheckedAsync(["ip", "link", "add", bridge, "type", "bridge"], ct);
            daemon._bridge = bridge;
            await HostCommand.RunCheckedAsync(["ip", "addr", "add", $"10.79.{subnet.ToString(CultureInfo.InvariantCulture)}.1/24", "dev", bridge], ct);
            var config = Path.Combine(execRoot, "daemon.json");
            await File.WriteAllTextAsync(config, "{}\n", ct);
            var log = Path.Combine(execRoot, "dockerd.log");
            string[] args =
            [
                "-c", "exec dockerd \"$@\" >>\"$0\" 2>&1 </dev/null", log,
                "--config-file", config, "--host", $"unix://{socket}", "--data-root", dataRoot, "--exec-root", execRoot,
                "--pidfile", Path.Combine(execRoot, "dockerd.pid"), "--bridge", bridge,
                "--iptables=false", "--ip-forward=false", "--ip-masq=false", "--userland-proxy=false", "--log-level", "warn",
            ];
            var psi = new ProcessStartInfo("sh") { UseShellExecute = false, WorkingDirectory = "/" };
            foreach (var a in args) psi.ArgumentList.Add(a);
            var sw = Stopwatch.StartNew();
            daemon._process = Process.Start(psi) ?? throw new ProvisioningException("cannot start dockerd");
            // sh execs dockerd: the PID is the daemon's (recorded with its start time, checked again by cleanup)
            if (LocalProcess.StartTimeOf(daemon._process.Id) is { } started)
                ledger?.Add(new RunResource(DockerLeftovers.Daemon, daemon._process.Id.ToString(CultureInfo.InvariantCulture)) { StartTime = started });
            while (true)
            {
                if (daemon._process.HasExited)
                    throw new ProvisioningException($"the private dockerd exited at start ({HostCommand.LastLine(await ReadLogAsync(log))}); see {log}");
                if (await AnswersAsync(endpoint, ct)) break;
                if (sw.Elapsed > TimeSpan.FromSeconds(30))
                    throw new ProvisioningException($"the private dockerd did not answer within 30 s; see {log}");
                await Task.Delay(50, ct);
            }
            await daemon.CheckVersionAsync(ct);
            await status.WriteLineAsync($"harness: private dockerd started in {sw.Elapsed.TotalSeconds:0.00} s (socket {socket}, data root {dataRoot})");
            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }
    }

    /// <summary>Running dockerd processes started with <c>--data-root <paramref name="dataRoot"/></c> (PID, exec root).</summary>
    internal static List<(int Pid, string ExecRoot)> DaemonsUsing(string dataRoot)
    {
        var found = new List<(int, string)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            string[] argv;
            try { argv = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0'); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            if (argv.Length == 0 || Path.GetFileName(argv[0]) != "dockerd" || !HostProcesses.IsAlive(pid)) continue;
            var pairs = argv.Zip(argv.Skip(1)).ToList();
            if (pairs.Any(p => p.First == "--data-root" && p.Second == dataRoot))
                found.Add((pid, pairs.FirstOrDefault(p => p.First == "--exec-root").Second ?? "?"));
        }
        return found;
    }

    private static async Task<string> ReadLogAsync(string path)
    {
        try { return await File.ReadAllTextAsync(path); }
        catch (IOException) { return ""; }
    }

    /// <summary>Stops a private daemon (SIGTERM, then SIGKILL after 20 s), removes its bridge and exec root; an
    /// existing daemon is only disconnected from.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Client.Dispose();
        if (_process is { } p)
        {
            if (!p.HasExited)
            {
                HostProcesses.Send(p.Id, HostProcesses.SigTerm);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                try { await p.WaitForExitAsync(cts.Token); }
                catch (OperationCanceledException)
                {
                    HostProcesses.Send(p.Id, HostProcesses.SigKill);
                    await p.WaitForExitAsync(CancellationToken.None);
                }
            }
            p.Dispose();
        }
        if (_execRoot is not null)
        {
            // containerd (started by dockerd) stops with it; one that survived a SIGKILL of dockerd is ended by its pid file.
            var containerdPid = Path.Combine(_execRoot, "containerd", "containerd.pid");
            if (File.Exists(containerdPid) && int.TryParse(await File.ReadAllTextAsync(containerdPid), out var cpid) && HostProcesses.IsAlive(cpid))
            {
                HostProcesses.Send(cpid, HostProcesses.SigTerm);
                for (var i = 0; i < 100 && HostProcesses.IsAlive(cpid); i++) await Task.Delay(50);
                HostProcesses.Send(cpid, HostProcesses.SigKill);
            }
            await UnmountBelowAsync(_execRoot);
            try { Directory.Delete(_execRoot, recursive: true); }
            catch (IOException) { await HostCommand.RunAsync(["rm", "-rf", _execRoot], CancellationToken.None); }
            try { Directory.Delete(RunRoot); } catch (IOException) { } // only when no other run uses it
        }
        if (_bridge is not null) await HostCommand.RunAsync(["ip", "link", "del", _bridge], CancellationToken.None);
        _dataLock?.Dispose();
    }

    /// <summary>Unmounts whatever is still mounted below <paramref name="root"/> (e.g. network namespace files),
    /// deepest first.</summary>
    internal static async Task UnmountBelowAsync(string root)
    {
        var prefix = root.TrimEnd('/') + "/";
        var mounts = (await File.ReadAllLinesAsync("/proc/self/mountinfo"))
            .Select(l => l.Split(' '))
            .Where(f => f.Length > 4 && (f[4] + "/").StartsWith(prefix, StringComparison.Ordinal))
            .Select(f => f[4]).Distinct().OrderByDescending(m => m.Length).ToList();
        foreach (var m in mounts) await HostCommand.RunAsync(["umount", "-l", m], CancellationToken.None);
    }
}
