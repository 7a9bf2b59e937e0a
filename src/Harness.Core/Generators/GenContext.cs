using System.Collections.Immutable;

namespace Harness.Core.Generators;

/// <summary>
/// What a generator may look at: virtual time, the free processes it may emit for, the worker layout and
/// seeded randomness. Client process ids are 0, 1, ... and a worker whose op ended as Info continues as
/// process + <see cref="Concurrency"/>, so a client's thread is <c>process % Concurrency</c>. The nemesis is
/// <see cref="Histories.Operation.NemesisProcess"/>. Routing combinators (<see cref="Gen.OnClients"/>,
/// <see cref="Gen.OnNemesis"/>) narrow the context to the threads a sub-generator owns.
/// </summary>
public sealed record GenContext
{
    /// <summary>Nanoseconds since the test started (virtual in simulations).</summary>
    public required long TimeNanos { get; init; }

    /// <summary>Processes that are idle now and visible to this generator.</summary>
    public required ImmutableArray<int> FreeProcesses { get; init; }

    /// <summary>Number of client workers (threads) in the test.</summary>
    public required int Concurrency { get; init; }

    /// <summary>The only source of randomness for generators (seeded from --seed).</summary>
    public required Random Random { get; init; }

    /// <summary>Node names of the cluster (n1..nN).</summary>
    public ImmutableArray<string> Nodes { get; init; } = [];

    /// <summary>Whether the client threads are visible to this generator.</summary>
    public bool ClientsVisible { get; init; } = true;

    /// <summary>Whether the nemesis thread is visible to this generator.</summary>
    public bool NemesisVisible { get; init; } = true;

    /// <summary>How many threads this generator can see.</summary>
    public int ThreadCount => (ClientsVisible ? Concurrency : 0) + (NemesisVisible ? 1 : 0);

    /// <summary>True when every visible thread is idle (used to synchronize phases).</summary>
    public bool AllFree => FreeProcesses.Length == ThreadCount;

    /// <summary>The thread a process runs on: -1 for the nemesis, <c>process % Concurrency</c> for clients.</summary>
    public int ThreadOf(int process) => process < 0 ? -1 : process % Math.Max(1, Concurrency);

    /// <summary>A free process chosen at random, or null when every visible thread is busy.</summary>
    public int? SomeFreeProcess() => FreeProcesses.Length switch
    {
        0 => null,
        1 => FreeProcesses[0],
        var n => FreeProcesses[Random.Next(n)],
    };

    /// <summary>This context seen by client threads only.</summary>
    public GenContext ClientsOnly()
    {
        if (!NemesisVisible) return this;
        var free = FreeProcesses.Contains(Histories.Operation.NemesisProcess)
            ? FreeProcesses.Remove(Histories.Operation.NemesisProcess)
            : FreeProcesses;
        return this with { FreeProcesses = free, NemesisVisible = false };
    }

    /// <summary>This context seen by the nemesis thread only.</summary>
    public GenContext NemesisOnly()
    {
        if (!ClientsVisible) return this;
        var free = FreeProcesses.Contains(Histories.Operation.NemesisProcess)
            ? [Histories.Operation.NemesisProcess]
            : ImmutableArray<int>.Empty;
        return this with { FreeProcesses = free, ClientsVisible = false };
    }

    /// <summary>A context at time 0 with every thread free (for tests and simulations).</summary>
    public static GenContext Initial(int concurrency, Random random, bool nemesis = true, ImmutableArray<string> nodes = default)
    {
        var free = Enumerable.Range(0, concurrency);
        if (nemesis) free = free.Append(Histories.Operation.NemesisProcess);
        return new GenContext
        {
            TimeNanos = 0,
            FreeProcesses = [.. free],
            Concurrency = concurrency,
            Random = random,
            Nodes = nodes.IsDefault ? [] : nodes,
            NemesisVisible = nemesis,
        };
    }
}
