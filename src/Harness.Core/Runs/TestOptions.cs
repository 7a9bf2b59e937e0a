using System.Collections.Immutable;

namespace Harness.Core.Runs;

/// <summary>
/// Everything a user chose on the command line (saved in test.json). The options every test has are properties;
/// a database's own options (declared by its suite) are in <see cref="DatabaseOptions"/>, by name without "--",
/// with every default filled in; the provisioner's own options likewise in <see cref="ProvisionerOptions"/>.
/// Defaults are the CLI's defaults.
/// </summary>
public sealed record TestOptions
{
    public required string Database { get; init; }
    public string Workload { get; init; } = "register";
    public ImmutableArray<string> Faults { get; init; } = [];
    /// <summary>Partition shapes for --nemesis partition: one, majority, majorities-ring, minority-third, primaries, bridge.</summary>
    public ImmutableArray<string> PartitionShapes { get; init; } = [];
    public int NodeCount { get; init; } = 3;
    /// <summary>Number of worker processes (already resolved from "Nn" = N per node).</summary>
    public int Concurrency { get; init; } = 5;
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Target operations per second across all workers (0 = as fast as possible).</summary>
    public double Rate { get; init; } = 100;
    public long Seed { get; init; }
    public TimeSpan OpTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan NemesisInterval { get; init; } = TimeSpan.FromSeconds(5);
    public string Provisioner { get; init; } = "netns";
    public bool LeaveDbRunning { get; init; }
    public string ResultsDirectory { get; init; } = "results";
    /// <summary>Active keys at a time for keyed workloads (register, list-append, session).</summary>
    public int KeyCount { get; init; } = 8;
    /// <summary>Packet loss probability for the loss fault.</summary>
    public double LossProbability { get; init; } = 0.2;

    /// <summary>How long to let the cluster recover after the final heal, before the final reads (only with faults).</summary>
    public TimeSpan RecoveryTime { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The database's own options (e.g. replication = async), by name without "--"; see the suite's Options.</summary>
    public ImmutableSortedDictionary<string, string> DatabaseOptions { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>The provisioner's own options (e.g. docker's image, ssh's hosts), by name without "--", with every
    /// default filled in; see the provisioner kind's Options.</summary>
    public ImmutableSortedDictionary<string, string> ProvisionerOptions { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
}
