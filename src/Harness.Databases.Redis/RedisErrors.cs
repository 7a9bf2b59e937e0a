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
/// not roll it back, and a failover may lose it).
/// </summary>
public static class RedisErrors
{
    public const string WaitTimeout = "wait-timeout";

    public static Operation Complete(Operation op, Exception e, bool isRead)
    {
        var error = Describe(e);
        return isRead || IsDefinite(e) ? op.Fail(error) : op.Info(error);
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
