using System.Collections.Immutable;
using Harness.Core.Control;

namespace Harness.Databases.Memory;

/// <summary>A network with nothing to cut: it only remembers which faults are active (for the in-process cluster).</summary>
public sealed class InMemoryNetwork : INetwork
{
    private ImmutableList<string> _faults = [];

    /// <summary>Faults applied and not yet healed, in words.</summary>
    public ImmutableList<string> ActiveFaults => _faults;

    public Task PartitionAsync(IReadOnlyList<IReadOnlyList<Node>> components, CancellationToken ct)
    {
        ImmutableInterlocked.Update(ref _faults, f => f.Add("partition " + string.Join(" | ", components.Select(c => string.Join(' ', c)))));
        return Task.CompletedTask;
    }

    public Task DropLinksAsync(IReadOnlyList<(Node A, Node B)> links, CancellationToken ct)
    {
        ImmutableInterlocked.Update(ref _faults, f => f.Add("drop " + string.Join(", ", links.Select(l => $"{l.A}-{l.B}"))));
        return Task.CompletedTask;
    }

    public Task LossAsync(IReadOnlyList<Node> nodes, double probability, CancellationToken ct)
    {
        ImmutableInterlocked.Update(ref _faults, f => f.Add($"loss {probability} on {string.Join(' ', nodes)}"));
        return Task.CompletedTask;
    }

    public Task HealAsync(CancellationToken ct)
    {
        _faults = [];
        return Task.CompletedTask;
    }
}
