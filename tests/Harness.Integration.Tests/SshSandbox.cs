using System.Diagnostics;
using System.Globalization;
using Harness.Provisioning;

namespace Harness.Integration.Tests;

/// <summary>
/// scripts/ssh-sandbox for the SSH tests: three real OpenSSH servers, each in its own network namespace (hs-n1..3),
/// brought up before the tests of a class and taken down after them (left up if it was up before). <see
/// cref="LeftoversAsync"/> lists what a run left on those hosts: any process in a namespace but its sshd, any
/// iptables chain HARNESS, any run directory, any SSH run marker.
/// </summary>
public sealed class SshSandbox : IAsyncLifetime
{
    public const string Directory = "/run/harness-ssh-sandbox";

    private readonly bool _sudoUser;

    private bool _wasUp;

    public SshSandbox() : this(sudoUser: false)
    {
    }

    /// <summary>With <paramref name="sudoUser"/>, <c>up 3 --sudo-user</c>: the options then log in as harness-ssh
    /// with <c>--sudo</c>, and harness-nosudo (no sudo rights) exists too.</summary>
    internal SshSandbox(bool sudoUser) => _sudoUser = sudoUser;

    /// <summary>The harness options the sandbox printed (its last line).</summary>
    public IReadOnlyList<string> Options { get; private set; } = [];

    public string Key => $"{Directory}/id_ed25519";

    public string KnownHosts => $"{Directory}/known_hosts";

    public IReadOnlyList<string> Addresses { get; private set; } = [];

    public static string Script
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "scripts", "ssh-sandbox"))) return Path.Combine(dir.FullName, "scripts", "ssh-sandbox");
            throw new FileNotFoundException("scripts/ssh-sandbox not found above the test binaries");
        }
    }

    public async Task InitializeAsync()
    {
        if (HostCapabilitiesMissing() is not null) return; // the tests then fail (CI) or skip with the reason
        var status = await HostCommand.RunAsync([Script, "status"], CancellationToken.None);
        _wasUp = status.Succeeded && status.Stdout.Contains("--sudo", StringComparison.Ordinal) == _sudoUser;
        string[] args = _sudoUser ? [Script, "up", "3", "--sudo-user"] : [Script, "up", "3"];
        var up = await HostCommand.RunAsync(args, CancellationToken.None);
        if (!up.Succeeded) throw new InvalidOperationException($"ssh-sandbox {string.Join(' ', args[1..])} failed: {up.Stderr}");
        Options = HostCommand.LastLine(up.Stdout).Split(' ');
        Addresses = await File.ReadAllLinesAsync($"{Directory}/nodes");
    }

    public async Task DisposeAsync()
    {
        if (!_wasUp && Options.Count > 0) await HostCommand.RunAsync([Script, "down"], CancellationToken.None);
    }

    private static string? HostCapabilitiesMissing() => Harness.Testing.HostCapabilities.Missing("ip", "iptables");

    /// <summary>What is on the sandbox's hosts beyond the sandbox itself, one line each (waits up to 5 s for it to
    /// go, since the SSH sessions of a closed connection end just after it).</summary>
    public async Task<IReadOnlyList<string>> LeftoversAsync()
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var left = await ProbeAsync();
            if (left.Count == 0 || clock.Elapsed > TimeSpan.FromSeconds(5)) return left;
            await Task.Delay(100);
        }
    }

    private async Task<List<string>> ProbeAsync()
    {
        var left = new List<string>();
        for (var i = 1; i <= Addresses.Count; i++)
        {
            var ns = $"hs-n{i}";
            var sshd = int.Parse((await File.ReadAllTextAsync($"{Directory}/n{i}/sshd.pid")).Trim(), CultureInfo.InvariantCulture);
            foreach (var line in (await HostCommand.RunAsync(["ip", "netns", "pids", ns], CancellationToken.None)).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                if (int.TryParse(line.Trim(), CultureInfo.InvariantCulture, out var pid) && pid != sshd && State(pid) is not ('Z' or '\0'))
                    left.Add($"{ns}: process {pid} {Command(pid)}");
            var rules = await HostCommand.RunAsync(["ip", "netns", "exec", ns, "iptables", "-S"], CancellationToken.None);
            left.AddRange(rules.Stdout.Split('\n').Where(r => r.Contains("HARNESS", StringComparison.Ordinal)).Select(r => $"{ns}: iptables {r}"));
        }
        foreach (var dir in new[] { "/dev/shm/harness-run", "/var/tmp/harness-run" })
            if (System.IO.Directory.Exists(dir)) left.Add($"dir {dir}: {string.Join(' ', System.IO.Directory.EnumerateFileSystemEntries(dir))}");
        if (System.IO.Directory.Exists("/run/harness"))
            left.AddRange(System.IO.Directory.EnumerateFiles("/run/harness", "ssh-*").Select(f => $"marker {f}"));
        return left;
    }

    private static char State(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2];
        }
        catch (IOException) { return '\0'; }
    }

    private static string Command(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim(); }
        catch (IOException) { return "?"; }
    }
}
