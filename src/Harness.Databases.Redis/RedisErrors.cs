using Harness.Core.Histories;
using StackExchange.Redis;

namespace Harness.Databases.Redis;

/// <summary>
/// Maps a failed Redis call to Fail (certainly not applied) or Info (unknown), by the rule of
/// docs/history-format.md. A read changes nothing: any error is Fail. A write is Fail when:
/// <list type="bullet">
/// <item>the server replied with an error (<see cref="RedisServerException"/>: READONLY from a replica,
///   NOREPLICAS, MASTERDOWN, LOADING, OOM...): Redis runs a command (and a Lua script) whole or rejects it before
///   running it, and our script writes only as its last step;</item>
/// <item>the client never sent it (<see cref="RedisConnectionException"/> or <see cref="RedisTimeoutException"/>
///   with <see cref="CommandStatus.WaitingToBeSent"/> or <see cref="CommandStatus.WaitingInBacklog"/>: no
///   connection to a writable server, or the connection was down; the backlog policy is fail-fast, so nothing is
///   queued to be sent later);</item>
/// <item>StackExchange.Redis refused it locally (<see cref="RedisCommandException"/>).</item>
/// </list>
/// Everything else is Info: a timeout or a lost connection after the command was sent (it may have run), and
/// a WAIT that returned fewer replicas than asked (the write is on the primary, not on enough replicas: Redis does
/// not roll it back, and a failover may lose it). A WAIT that fails (a server error such as READONLY from a primary
/// demoted meanwhile, a lost connection, a timeout) after its write succeeded is the same: the write happened, only
/// the count of replicas that have it is missing (<see cref="AfterWait"/>), so it is Info, never Fail.
/// </summary>
public static class RedisErrors
{
    public const string WaitTimeout = "wait-timeout";

    public static Operation Complete(Operation op, Exception e, bool isRead)
    {
        var error = Describe(e);
        return isRead || IsDefinite(e) ? op.Fail(error) : op.Info(error);
    }

    /// <summary>The outcome of the write <paramref name="invoked"/>, which the server applied (<paramref name="done"/>,
    /// ok), once the WAIT that follows it has answered <paramref name="acked"/> replicas or failed with
    /// <paramref name="waitError"/>: ok when enough replicas have it, and Info (<see cref="WaitTimeout"/>, with the
    /// invoked value) otherwise. Never Fail: the write happened.</summary>
    public static Operation AfterWait(Operation invoked, Operation done, long wanted, long acked, Exception? waitError)
    {
        if (waitError is not null) return invoked.Info($"{WaitTimeout}: WAIT failed: {Describe(waitError)}");
        return acked >= wanted ? done : invoked.Info($"{WaitTimeout}: {acked} of {wanted} replicas");
    }

    public static bool IsDefinite(Exception e) => e switch
    {
        RedisServerException => true,
        RedisCommandException => true,
        RedisConnectionException c => NotSent(c.CommandStatus),
        RedisTimeoutException t => NotSent(t.Commandstatus),
        _ => false,
    };

    private static bool NotSent(CommandStatus status) => status is CommandStatus.WaitingToBeSent or CommandStatus.WaitingInBacklog;

    /// <summary>A short machine-friendly error for the history.</summary>
    public static string Describe(Exception e) => e switch
    {
        RedisServerException s => Trim(s.Message),
        RedisTimeoutException t => NotSent(t.Commandstatus) ? "timeout-unsent" : "timeout",
        RedisConnectionException c => NotSent(c.CommandStatus) ? $"not-sent: {c.FailureType}".ToLowerInvariant() : $"connection-{c.FailureType}".ToLowerInvariant(),
        RedisCommandException c => Trim(c.Message),
        TimeoutException or OperationCanceledException => "timeout",
        _ => $"{e.GetType().Name}: {Trim(e.Message)}",
    };

    private static string Trim(string message)
    {
        var first = message.Split('\n')[0];
        return first.Length > 120 ? first[..120] : first;
    }
}
