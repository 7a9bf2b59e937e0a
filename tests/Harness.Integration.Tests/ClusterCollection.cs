namespace Harness.Integration.Tests;

/// <summary>Real clusters share 2 CPU cores: every test in this collection runs alone, one cluster at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "real clusters";
}
