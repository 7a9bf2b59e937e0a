using Harness.Core.Runs;

namespace Harness.Databases.Etcd;

/// <summary>The choices of an etcd test, read once from the options.</summary>
public sealed record EtcdSettings
{
    /// <summary>Reads with serializable = true: served by the member the client talks to from its own state,
    /// without a round through the leader (possibly stale). False: linearizable reads (etcd's default).</summary>
    public bool SerializableReads { get; init; }

    /// <summary>etcd's --pre-vote (off by default in 3.4): a member cut off from the others asks before it raises its
    /// term, so it cannot depose a healthy leader when the partition heals.</summary>
    public bool PreVote { get; init; }

    /// <summary>The gRPC deadline of every client call.</summary>
    public TimeSpan OpTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Raft heartbeat and election timeout (etcd flags), short so that a lost leader is replaced in ~1-2 s.</summary>
    public int HeartbeatMillis { get; init; } = 100;
    public int ElectionTimeoutMillis { get; init; } = 1000;

    public static EtcdSettings From(TestOptions options) => new()
    {
        SerializableReads = EtcdSuite.SerializableReads.Of(options),
        PreVote = EtcdSuite.PreVote.Of(options),
        OpTimeout = options.OpTimeout,
    };
}
