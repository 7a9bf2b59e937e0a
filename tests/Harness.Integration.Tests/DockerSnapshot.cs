using Harness.Provisioning;
using Harness.Provisioning.Docker;

namespace Harness.Integration.Tests;

/// <summary>Everything of the docker provisioner on the machine: its bridges (hd*, hk*), per-run exec roots, private
/// dockerd and containerd processes, mounts below its directories, containers in the private data root, and
/// its FORWARD rules (netns runs of other developers use hb* bridges and are not counted). A run must leave none of it (compared before and after).</summary>
internal static class DockerSnapshot
{
    public static async Task<HashSet<string>> TakeAsync()
    {
        var items = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in (await RunAsync("ip", "-o", "link", "show")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = line.Split(':', 3)[1].Trim().Split('@')[0];
            if (name.Length == 6 && (name.StartsWith("hd", StringComparison.Ordinal) || name.StartsWith("hk", StringComparison.Ordinal))) items.Add("link " + name);
        }
        foreach (var line in (await RunAsync("iptables", "-S", "FORWARD")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (line.Contains("harness-", StringComparison.Ordinal) && line.Contains(" -i hd", StringComparison.Ordinal)) items.Add("rule " + line);
        if (Directory.Exists(DockerDaemon.RunRoot))
            foreach (var d in Directory.EnumerateFileSystemEntries(DockerDaemon.RunRoot)) items.Add("dir " + d);
        var data = Path.Combine(DockerDaemon.CacheRoot, "data", "containers");
        if (Directory.Exists(data))
            foreach (var d in Directory.EnumerateDirectories(data)) items.Add("container " + Path.GetFileName(d));
        foreach (var line in await File.ReadAllLinesAsync("/proc/self/mountinfo"))
        {
            var mountPoint = line.Split(' ')[4];
            if (mountPoint.StartsWith(DockerDaemon.RunRoot, StringComparison.Ordinal) || mountPoint.StartsWith(DockerDaemon.CacheRoot, StringComparison.Ordinal))
                items.Add("mount " + mountPoint);
        }
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            try
            {
                var cmdline = (await File.ReadAllTextAsync(Path.Combine(dir, "cmdline"))).Replace('\0', ' ');
                if (cmdline.Contains(DockerDaemon.RunRoot, StringComparison.Ordinal) && !cmdline.StartsWith("sh ", StringComparison.Ordinal))
                    items.Add($"process {Path.GetFileName(dir)} {cmdline}");
            }
            catch (IOException) { }
        }
        return items;
    }

    public static async Task<IReadOnlyList<string>> NewSinceAsync(HashSet<string> before) =>
        [.. (await TakeAsync()).Where(i => !before.Contains(i)).Order(StringComparer.Ordinal)];

    private static async Task<string> RunAsync(string file, params string[] args) =>
        (await HostCommand.RunAsync([file, .. args], CancellationToken.None)).Stdout;
}
