namespace Harness.Core.Control;

/// <summary>Makes nodes. Throws <see cref="ProvisioningException"/> with a one-line fix when it cannot.</summary>
public interface IProvisioner
{
    Task<ICluster> ProvisionAsync(ClusterSpec spec, CancellationToken ct);
}

/// <summary>What to provision: how many nodes, and which Debian packages they need.</summary>
public sealed record ClusterSpec(int NodeCount, IReadOnlyList<string> Packages, string RunName);

/// <summary>The environment cannot provide a cluster; the message says what is missing and how to fix it.</summary>
public sealed class ProvisioningException(string message) : Exception(message);
