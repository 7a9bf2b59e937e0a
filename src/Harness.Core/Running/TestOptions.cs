using System.Collections.Immutable;

namespace Harness.Core.Running;

/// <summary>Everything a user chose on the command line (saved in test.json). Defaults are the CLI's defaults.</summary>
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
    /// <summary>Extra key count for keyed workloads (register, list-append).</summary>
    public int KeyCount { get; init; } = 8;

    // Replication (single-leader databases).
    /// <summary>async | sync | remote-apply.</summary>
    public string Replication { get; init; } = "async";
    public int SyncReplicas { get; init; } = 1;
    /// <summary>primary | replica | any.</summary>
    public string ReadFrom { get; init; } = "primary";
    /// <summary>none | promote.</summary>
    public string Failover { get; init; } = "none";
    public bool Fencing { get; init; }
    /// <summary>read-committed | repeatable-read | serializable.</summary>
    public string Isolation { get; init; } = "serializable";
    /// <summary>Packet loss probability for the loss fault.</summary>
    public double LossProbability { get; init; } = 0.2;

    /// <summary>How long to let the cluster recover after the final heal, before the final reads (only with faults).</summary>
    public TimeSpan RecoveryTime { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Database-specific switches for planted bugs (the in-memory database: stale-read, lost-write...).</summary>
    public ImmutableArray<string> Bugs { get; init; } = [];
}
