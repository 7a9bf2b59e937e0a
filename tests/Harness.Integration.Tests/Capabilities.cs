using Harness.Provisioning.Netns;
using Harness.Testing;

namespace Harness.Integration.Tests;

/// <summary>
/// The fresh-machine path: as root, the provisioner installs what it needs (iptables) before the test checks
/// its capabilities, so CI (CI=true) installs instead of failing; without root, Require fails with the reason.
/// </summary>
internal static class Capabilities
{
    public static async Task RequireAsync(params string[] binaries)
    {
        if (Environment.IsPrivilegedProcess && OperatingSystem.IsLinux())
            await new NetnsProvisioner(Console.Error).EnsurePackagesAsync(NetnsProvisioner.BasePackages, CancellationToken.None);
        HostCapabilities.Require(binaries);
    }
}
