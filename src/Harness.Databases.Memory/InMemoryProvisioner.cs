using Harness.Core.Control;

namespace Harness.Databases.Memory;

/// <summary>Provisions <see cref="InMemoryCluster"/>s.</summary>
public sealed class InMemoryProvisioner : IProvisioner
{
    public Task<ICluster> ProvisionAsync(ClusterSpec spec, CancellationToken ct) =>
        Task.FromResult<ICluster>(new InMemoryCluster(spec.NodeCount));
}
