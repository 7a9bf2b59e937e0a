using System.Collections.Immutable;
using Harness.Core.Generators;

namespace Harness.Core.Nemeses;

/// <summary>
/// A nemesis with its schedule (Jepsen's nemesis package): <see cref="Generator"/> injects and heals faults
/// during the main phase, <see cref="Final"/> heals everything before the final reads.
/// </summary>
public sealed record NemesisPackage
{
    public required INemesis Nemesis { get; init; }
    public required IGenerator Generator { get; init; }
    public required IGenerator Final { get; init; }

    /// <summary>The fault names enabled (e.g. partition, kill).</summary>
    public ImmutableArray<string> Faults { get; init; } = [];

    /// <summary>No faults at all.</summary>
    public static NemesisPackage None { get; } = new()
    {
        Nemesis = new NoopNemesis(),
        Generator = Gen.Empty,
        Final = Gen.Empty,
    };
}
