namespace Harness.Core.Control;

/// <summary>Makes nodes. Throws <see cref="ProvisioningException"/> with a one-line fix when it cannot.</summary>
public interface IProvisioner
{
    /// <summary>Checks, before anything is created (no run directory yet), that this machine can provision the
    /// cluster: privileges, tools, packages (installed when it may). Throws <see cref="ProvisioningException"/>.</summary>
    Task PreflightAsync(ClusterSpec spec, CancellationToken ct) => Task.CompletedTask;

    Task<ICluster> ProvisionAsync(ClusterSpec spec, CancellationToken ct);
}

/// <summary>What to provision: how many nodes, and which Debian packages they need.</summary>
public sealed record ClusterSpec(int NodeCount, IReadOnlyList<string> Packages, string RunName);

/// <summary>The environment cannot provide a cluster; the message says what is missing and how to fix it.</summary>
public sealed class ProvisioningException(string message) : Exception(message);
