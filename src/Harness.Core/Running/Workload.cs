using Harness.Core.Checking;
using Harness.Core.Generators;

namespace Harness.Core.Running;

/// <summary>A workload: what clients do (generator), what they do after healing (final), how it is checked.</summary>
public sealed record Workload
{
    public required string Name { get; init; }
    public required IGenerator Generator { get; init; }
    /// <summary>Ops run once after the final heal (e.g. the set's final read); null for none.</summary>
    public IGenerator? Final { get; init; }
    public required IChecker Checker { get; init; }
}
