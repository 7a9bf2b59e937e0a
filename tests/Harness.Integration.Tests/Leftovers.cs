using Harness.Provisioning;
using Harness.Provisioning.Netns;

namespace Harness.Integration.Tests;

/// <summary>Finds what a netns cluster left on the machine after disposal (it must be nothing).</summary>
internal static class Leftovers
{
    public static async Task<IReadOnlyList<string>> FindAsync(NetnsCluster cluster, IReadOnlyList<int> pids)
    {
        var found = new List<string>();
        var namespaces = await RunAsync("ip", "netns", "list");
        foreach (var ns in cluster.Namespaces)
            if (namespaces.Split('\n').Any(l => l.Split(' ')[0] == ns)) found.Add($"namespace {ns}");
        var links = await RunAsync("ip", "-o", "link", "show");
        if (links.Contains($" {cluster.BridgeName}:", StringComparison.Ordinal)) found.Add($"bridge {cluster.BridgeName}");
        if (links.Contains($" hv{cluster.Id}", StringComparison.Ordinal)) found.Add($"veth hv{cluster.Id}*");
        var rules = await RunAsync("iptables", "-S", "FORWARD");
        if (rules.Contains(cluster.BridgeName, StringComparison.Ordinal)) found.Add($"FORWARD rule for {cluster.BridgeName}");
        if (Directory.Exists(cluster.RunDirectory)) found.Add($"directory {cluster.RunDirectory}");
        if (cluster.MarkerPath is { } marker && File.Exists(marker)) found.Add($"marker {marker}");
        foreach (var pid in pids)
            if (IsAlive(pid)) found.Add($"process {pid}");
        return found;
    }

    /// <summary>Running (a zombie is dead: it only waits for PID 1 to reap it).</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task<string> RunAsync(string file, params string[] args) =>
        (await HostCommand.RunAsync([file, .. args], CancellationToken.None)).Stdout;
}
