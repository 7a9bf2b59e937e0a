using Xunit;

using System.Diagnostics;

namespace Harness.Testing;

/// <summary>
/// Probes once whether this machine can run real clusters: root, working network namespaces, and binaries.
/// <see cref="Missing"/> returns the first missing capability in words, or null.
/// </summary>
public static class HostCapabilities
{
    private static readonly Lazy<string?> NamespaceProblem = new(ProbeNamespaces);

    /// <summary>True on the build server (CI=true): a missing capability fails the test instead of skipping it.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? Missing(params string[] binaries)
    {
        if (!OperatingSystem.IsLinux()) return "Linux is required";
        if (!Environment.IsPrivilegedProcess) return "root is required (network namespaces, iptables)";
        if (NamespaceProblem.Value is { } problem) return problem;
        foreach (var b in binaries)
            if (FindBinary(b) is null) return $"'{b}' is not installed";
        return null;
    }

    /// <summary>Fails the test with the reason when a capability is missing (use at the start of integration tests).</summary>
    public static void Require(params string[] binaries)
    {
        if (Missing(binaries) is { } reason) Assert.Fail($"this test needs a real cluster: {reason}");
    }

    public static string? FindBinary(string name)
    {
        if (name.Contains('/')) return File.Exists(name) ? name : null;
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Concat(["/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/lib/postgresql/15/bin"]);
        return dirs.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
    }

    private static string? ProbeNamespaces()
    {
        if (FindBinary("ip") is null) return "'ip' (iproute2) is not installed";
        try
        {
            using var p = Process.Start(new ProcessStartInfo("ip", ["netns", "list"]) { RedirectStandardError = true, RedirectStandardOutput = true });
            if (p is null) return "cannot run 'ip netns list'";
            p.WaitForExit(5000);
            return p.ExitCode == 0 ? null : $"'ip netns list' failed: {p.StandardError.ReadToEnd().Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"cannot run 'ip netns list': {e.Message}";
        }
    }
}
