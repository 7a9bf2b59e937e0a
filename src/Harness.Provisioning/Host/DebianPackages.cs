using Harness.Core.Control;

namespace Harness.Provisioning;

/// <summary>Debian packages on the controller, shared by the provisioners that run nodes on this host.</summary>
public static class DebianPackages
{
    /// <summary>Installs missing packages as root (saying so first on <paramref name="status"/>); otherwise names the
    /// exact command. <paramref name="notDebian"/> is the one-line error where dpkg-query does not exist.</summary>
    public static async Task EnsureAsync(IReadOnlyList<string> packages, TextWriter status, string notDebian, CancellationToken ct)
    {
        var wanted = packages.Distinct(StringComparer.Ordinal).ToList();
        if (wanted.Count == 0) return;
        var query = await HostCommand.RunAsync(["dpkg-query", "-W", "-f=${Package} ${db:Status-Status}\n", .. wanted], ct);
        if (query.ExitCode == 127)
            throw new ProvisioningException(notDebian);
        var installed = query.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')).Where(p => p.Length == 2 && p[1] == "installed").Select(p => p[0].Split(':')[0])
            .ToHashSet(StringComparer.Ordinal);
        var missing = wanted.Where(p => !installed.Contains(p)).ToList();
        if (missing.Count == 0) return;
        var command = $"apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y {string.Join(' ', missing)}";
        if (!Environment.IsPrivilegedProcess)
            throw new ProvisioningException($"missing packages {string.Join(", ", missing)}; install them as root: {command}");
        await status.WriteLineAsync($"harness: installing missing packages: {string.Join(' ', missing)} ({command})");
        var update = await HostCommand.RunAsync(["apt-get", "update"], ct);
        var install = update.Succeeded
            ? await HostCommand.RunAsync(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", .. missing], ct)
            : update;
        if (!install.Succeeded)
            throw new ProvisioningException($"installing {string.Join(' ', missing)} failed ({HostCommand.LastLine(install.Stderr)}); run: {command}");
    }
}
