using Harness.Core.Runs;

namespace Harness.Databases.Redis;

/// <summary>The choices of a Redis test, read once from the options.</summary>
public sealed record RedisSettings
{
    /// <summary>After each write, WAIT for this many replicas (0: no WAIT).</summary>
    public int Wait { get; init; }
    /// <summary>primary | replica.</summary>
    public string ReadFrom { get; init; } = "primary";
    public TimeSpan OpTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Sentinel's down-after-milliseconds: how long the primary must be unreachable before a failover.</summary>
    public int DownAfterMillis { get; init; } = 1000;

    public static RedisSettings From(TestOptions options) => new()
    {
        Wait = RedisSuite.Wait.Of(options),
        ReadFrom = RedisSuite.ReadFrom.Of(options),
        OpTimeout = options.OpTimeout,
    };
}
