namespace Harness.Core.Control;

/// <summary>Makes nodes. Throws <see cref="ProvisioningException"/> with a one-line fix when it cannot.</summary>
public interface IProvisioner
{
    /// <summary>Checks, before anything is created (no run directory yet), that this machine can provision the
    /// cluster: privileges, tools, packages (installed when it may). Throws <see cref="ProvisioningException"/>.</summary>
    Task PreflightAsync(ClusterSpec spec, CancellationToken ct) => Task.CompletedTask;

    Task<ICluster> ProvisionAsync(ClusterSpec spec, CancellationToken ct);

    /// <summary>What still exists of the resources a dead run recorded in its <see cref="RunMarker"/> (for
    /// <c>harness cleanup --dry-run</c> and the warning before a test). Reads only; cheap.</summary>
    Task<IReadOnlyList<RunResource>> FindLeftoversAsync(RunMarker marker, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<RunResource>>(marker.Resources);

    /// <summary>Removes what a dead run recorded (and only that), for <c>harness cleanup</c>. Idempotent: a resource
    /// that is already gone is skipped, not an error, so a run killed during its own teardown is finished off.</summary>
    Task<LeftoverRemoval> RemoveLeftoversAsync(RunMarker marker, CancellationToken ct) =>
        throw new NotSupportedException($"the {marker.Provisioner} provisioner cannot remove what a run left behind");
}

/// <summary>What <see cref="IProvisioner.RemoveLeftoversAsync"/> removed, and what it could not remove (one line each).</summary>
public sealed record LeftoverRemoval(IReadOnlyList<RunResource> Removed, IReadOnlyList<string> Failures);

/// <summary>What to provision: how many nodes, and which Debian packages they need.</summary>
public sealed record ClusterSpec(int NodeCount, IReadOnlyList<string> Packages, string RunName)
{
    /// <summary>The cluster will be left running at the end (--leave-db-running): its marker says so.</summary>
    public bool LeaveRunning { get; init; }
}

/// <summary>The environment cannot provide a cluster; the message says what is missing and how to fix it.</summary>
public sealed class ProvisioningException(string message) : Exception(message);
