using System.Collections.Immutable;

namespace Harness.Core.Generators;

/// <summary>What a generator may look at: virtual time, free processes, the worker count, and seeded randomness.</summary>
public sealed record GenContext(long TimeNanos, ImmutableArray<int> FreeProcesses, int Concurrency, Random Random, ImmutableArray<string> Nodes);
