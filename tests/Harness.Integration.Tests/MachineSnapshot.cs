using Harness.Core.Control;
using Harness.Provisioning;

namespace Harness.Integration.Tests;

/// <summary>Everything harness-named on the machine (namespaces, links, FORWARD rules, run directories, PostgreSQL
/// shared memory, run markers), to
/// compare before and after a run that the test cannot reach into (a CLI run, a child process).</summary>
internal static class MachineSnapshot
{
    public static async Task<HashSet<string>> TakeAsync()
    {
        var items = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in (await RunAsync("ip", "netns", "list")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (line.StartsWith('h')) items.Add("netns " + line.Split(' ')[0]);
        foreach (var line in (await RunAsync("ip", "-o", "link", "show")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = line.Split(':', 3)[1].Trim().Split('@')[0];
            if (name.StartsWith("hb", StringComparison.Ordinal) || name.StartsWith("hv", StringComparison.Ordinal)) items.Add("link " + name);
        }
        foreach (var line in (await RunAsync("iptables", "-S", "FORWARD")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (line.Contains("harness-", StringComparison.Ordinal)) items.Add("rule " + line);
        foreach (var dir in new[] { "/dev/shm", "/tmp" }.Where(Directory.Exists))
            foreach (var d in Directory.EnumerateDirectories(dir, "h????"))
                if (File.Exists(Path.Combine(d, "n1", "log", "postgres.log")) || Directory.Exists(Path.Combine(d, "n1"))) items.Add("dir " + d);
        if (Directory.Exists("/dev/shm"))
            foreach (var f in Directory.EnumerateFiles("/dev/shm", "PostgreSQL.*")) items.Add("shm " + f);
        foreach (var (path, _) in RunLedger.ReadAll()) items.Add("marker " + path);
        foreach (var line in (await RunAsync("ipcs", "-m")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 3 && f[2] == "postgres") items.Add("sysv segment " + f[1]);
        }
        return items;
    }

    /// <summary>What exists now but did not before.</summary>
    public static async Task<IReadOnlyList<string>> NewSinceAsync(HashSet<string> before) =>
        [.. (await TakeAsync()).Where(i => !before.Contains(i)).Order(StringComparer.Ordinal)];

    private static async Task<string> RunAsync(string file, params string[] args) =>
        (await HostCommand.RunAsync([file, .. args], CancellationToken.None)).Stdout;
}
