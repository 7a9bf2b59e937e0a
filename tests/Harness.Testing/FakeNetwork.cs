using System.Collections.Immutable;
using Harness.Core.Control;

namespace Harness.Testing;

/// <summary>An <see cref="INetwork"/> that records every call ("partition n1 | n2 n3", "drop n1-n2", "loss 0.2 n1", "heal").</summary>
public sealed class FakeNetwork : INetwork
{
    private readonly Lock _lock = new();
    private readonly List<string> _calls = [];
    private int _active;

    /// <summary>Every call in order.</summary>
    public ImmutableArray<string> Calls
    {
        get { lock (_lock) return [.. _calls]; }
    }

    /// <summary>True when no fault is applied (nothing since the last heal).</summary>
    public bool IsHealed
    {
        get { lock (_lock) return _active == 0; }
    }

    public int HealCount
    {
        get { lock (_lock) return _calls.Count(c => c == "heal"); }
    }

    /// <summary>Thrown by the next fault call (not by heal), to test a failing nemesis.</summary>
    public Exception? FailNextFault { get; set; }

    private Task Fault(string call)
    {
        lock (_lock)
        {
            if (FailNextFault is { } e)
            {
                FailNextFault = null;
                return Task.FromException(e);
            }
            _calls.Add(call);
            _active++;
        }
        return Task.CompletedTask;
    }

    public Task PartitionAsync(IReadOnlyList<IReadOnlyList<Node>> components, CancellationToken ct) =>
        Fault("partition " + string.Join(" | ", components.Select(c => string.Join(' ', c))));

    public Task DropLinksAsync(IReadOnlyList<(Node A, Node B)> links, CancellationToken ct) =>
        Fault("drop " + string.Join(", ", links.Select(l => $"{l.A}-{l.B}")));

    public Task LossAsync(IReadOnlyList<Node> nodes, double probability, CancellationToken ct) =>
        Fault($"loss {probability} {string.Join(' ', nodes)}");

    public Task HealAsync(CancellationToken ct)
    {
        lock (_lock)
        {
            _calls.Add("heal");
            _active = 0;
        }
        return Task.CompletedTask;
    }
}
