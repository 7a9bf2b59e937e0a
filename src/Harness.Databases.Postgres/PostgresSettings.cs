using Harness.Core;
using Harness.Core.Running;

namespace Harness.Databases.Postgres;

/// <summary>The replication choices of a PostgreSQL test, validated once from the options.</summary>
public sealed record PostgresSettings
{
    public const string Async = "async";
    public const string Sync = "sync";
    public const string RemoteApply = "remote-apply";

    /// <summary>async | sync | remote-apply.</summary>
    public required string Replication { get; init; }
    /// <summary>K in synchronous_standby_names = 'ANY K (...)'.</summary>
    public int SyncReplicas { get; init; } = 1;
    /// <summary>primary | replica | any.</summary>
    public string ReadFrom { get; init; } = "primary";
    /// <summary>none | promote.</summary>
    public string Failover { get; init; } = "none";
    public bool Fencing { get; init; }
    /// <summary>read-committed | repeatable-read | serializable.</summary>
    public string Isolation { get; init; } = "serializable";
    public TimeSpan OpTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>How long the primary must be down or cut off from every replica before a promotion.</summary>
    public TimeSpan FailoverAfter { get; init; } = TimeSpan.FromSeconds(1.5);

    public bool IsSynchronous => Replication != Async;

    /// <summary>Validates the options; throws <see cref="UserErrorException"/> with a one-line fix.</summary>
    public static PostgresSettings From(TestOptions options)
    {
        string[] replications = [Async, Sync, RemoteApply];
        if (!replications.Contains(options.Replication))
            throw new UserErrorException($"unknown --replication '{options.Replication}'; use async, sync or remote-apply");
        if (options.ReadFrom is not ("primary" or "replica" or "any"))
            throw new UserErrorException($"unknown --read-from '{options.ReadFrom}'; use primary, replica or any");
        if (options.Failover is not ("none" or "promote"))
            throw new UserErrorException($"unknown --failover '{options.Failover}'; use none or promote");
        if (options.Isolation is not ("read-committed" or "repeatable-read" or "serializable"))
            throw new UserErrorException($"unknown --isolation '{options.Isolation}'; use read-committed, repeatable-read or serializable");
        if (options.Replication != Async && (options.SyncReplicas < 1 || options.SyncReplicas > options.NodeCount - 1))
            throw new UserErrorException($"--sync-replicas {options.SyncReplicas} needs 1..{options.NodeCount - 1} replicas with --nodes {options.NodeCount}");
        if (options.ReadFrom == "replica" && options.NodeCount < 2)
            throw new UserErrorException("--read-from replica needs --nodes 2 or more");
        return new PostgresSettings
        {
            Replication = options.Replication,
            SyncReplicas = options.SyncReplicas,
            ReadFrom = options.ReadFrom,
            Failover = options.Failover,
            Fencing = options.Fencing,
            Isolation = options.Isolation,
            OpTimeout = options.OpTimeout,
        };
    }
}
