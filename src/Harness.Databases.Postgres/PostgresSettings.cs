using Harness.Core.Runs;

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
    /// <summary>recovery_min_apply_delay on the standbys, in ms (0: none).</summary>
    public int LagMs { get; init; }
    /// <summary>How long the primary must be down or cut off from every replica before a promotion.</summary>
    public TimeSpan FailoverAfter { get; init; } = TimeSpan.FromSeconds(1.5);

    public bool IsSynchronous => Replication != Async;

    /// <summary>The settings chosen in <paramref name="options"/> (already checked against <see cref="PostgresSuite"/>'s options and rules).</summary>
    public static PostgresSettings From(TestOptions options) => new()
    {
        Replication = PostgresSuite.Replication.Of(options),
        SyncReplicas = PostgresSuite.SyncReplicas.Of(options),
        ReadFrom = PostgresSuite.ReadFrom.Of(options),
        Failover = PostgresSuite.Failover.Of(options),
        Fencing = PostgresSuite.Fencing.Of(options),
        Isolation = PostgresSuite.Isolation.Of(options),
        OpTimeout = options.OpTimeout,
        LagMs = PostgresSuite.LagOf(options),
    };
}
