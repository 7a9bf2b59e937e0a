using Harness.Core.Runs;

namespace Harness.Databases.MySql;

/// <summary>The topology and replication choices of a MariaDB test, read once from the (already checked) options.</summary>
public sealed record MySqlSettings
{
    public const string PrimaryReplica = "primary-replica";
    public const string Galera = "galera";
    public const string MultiPrimary = "multi-primary";
    public const string Async = "async";
    public const string SemiSync = "semi-sync";

    /// <summary>primary-replica | galera | multi-primary.</summary>
    public string Topology { get; init; } = PrimaryReplica;
    /// <summary>async | semi-sync (primary-replica only).</summary>
    public string Replication { get; init; } = Async;
    /// <summary>after-commit | after-sync (rpl_semi_sync_master_wait_point).</summary>
    public string SemiSyncWait { get; init; } = "after-sync";
    /// <summary>rpl_semi_sync_master_timeout in ms: after it the primary falls back to asynchronous replication.</summary>
    public int SemiSyncTimeoutMs { get; init; } = 10000;
    /// <summary>primary | replica | any.</summary>
    public string ReadFrom { get; init; } = "primary";
    /// <summary>none | promote.</summary>
    public string Failover { get; init; } = "none";
    public bool Fencing { get; init; }
    /// <summary>read-uncommitted | read-committed | repeatable-read | serializable.</summary>
    public string Isolation { get; init; } = "serializable";
    /// <summary>innodb_snapshot_isolation: null = the server's default.</summary>
    public bool? SnapshotIsolation { get; init; }
    /// <summary>wsrep_sync_wait bit mask (Galera only).</summary>
    public int WsrepSyncWait { get; init; }
    /// <summary>MASTER_DELAY on every replica, in ms (a multiple of 1000; 0: none).</summary>
    public int LagMs { get; init; }
    /// <summary>What the lag fault holds: false (lag alone) = the SQL thread only, so the IO thread keeps receiving and
    /// readers go stale; true (lag with another fault, which then happens while every replica is held) = the IO thread,
    /// so the replicas do not even receive what the primary commits meanwhile.</summary>
    public bool LagHoldsReceiving { get; init; }
    public TimeSpan OpTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>How long the primary must be down or cut off from every replica before a promotion.</summary>
    public TimeSpan FailoverAfter { get; init; } = TimeSpan.FromSeconds(1.5);
    /// <summary>How long to wait after the final phase before every node is read for the convergence check.</summary>
    public TimeSpan SettleTime { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>True when every node accepts writes (Galera, multi-primary).</summary>
    public bool EveryNodeWrites => Topology != PrimaryReplica;

    public static MySqlSettings From(TestOptions options) => new()
    {
        Topology = MySqlSuite.Topology.Of(options),
        Replication = MySqlSuite.Replication.Of(options),
        SemiSyncWait = MySqlSuite.SemiSyncWait.Of(options),
        SemiSyncTimeoutMs = MySqlSuite.SemiSyncTimeout.Of(options),
        ReadFrom = MySqlSuite.ReadFrom.Of(options),
        Failover = MySqlSuite.Failover.Of(options),
        Fencing = MySqlSuite.Fencing.Of(options),
        Isolation = MySqlSuite.Isolation.Of(options),
        SnapshotIsolation = MySqlSuite.SnapshotIsolation.Of(options) switch { "on" => true, "off" => false, _ => null },
        WsrepSyncWait = MySqlSuite.WsrepSyncWait.Of(options),
        LagMs = MySqlSuite.LagOf(options),
        LagHoldsReceiving = !options.Faults.IsDefault && options.Faults.Contains(Harness.Core.Nemeses.NemesisPackages.Lag) && options.Faults.Any(f => f != Harness.Core.Nemeses.NemesisPackages.Lag),
        OpTimeout = options.OpTimeout,
    };
}
