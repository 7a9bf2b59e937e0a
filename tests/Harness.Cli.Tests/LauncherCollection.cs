namespace Harness.Cli.Tests;

/// <summary>
/// Tests that must not share the machine with the other tests of this project: <see cref="NativeCheckTests"/>
/// publishes harness-check with Native AOT (both cores, ~1 GB, for about 40 s), which would starve
/// <see cref="SignalTests"/> (a SIGINT at once would reach bash before its trap) and the memory-budget test (its
/// child's working-set look). The collection runs alone, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LauncherCollection
{
    public const string Name = "launcher";
}
