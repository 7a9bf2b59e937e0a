using Harness.Core.Histories;
using MySqlConnector;

namespace Harness.Databases.MySql;

/// <summary>
/// Maps a failed operation to Fail (certainly not applied) or Info (unknown); docs/mysql.md explains each case.
/// Fail: nothing was sent (the connection could not be opened); a read; a transaction that never sent COMMIT
/// (MariaDB rolls back a transaction whose connection ends, and the client rolls back after any error); or a
/// server error that rolls the statement or transaction back: 1213 deadlock (also Galera's certification
/// failure), 1205 lock wait timeout (innodb_rollback_on_timeout = ON), 1020 record changed (snapshot isolation),
/// 1047 WSREP not ready (Galera non-primary), 1062 duplicate key, 1290 read-only, 1146 no such table.
/// Info: timeouts, lost connections, 1317 query interrupted, 1053 server shutdown, 1927 connection killed and
/// 1180 error during COMMIT, after a write or a COMMIT was sent.
/// </summary>
public static class MySqlErrors
{
    public const int ErCheckRead = 1020;
    public const int ErUnknownComError = 1047;
    public const int ErServerShutdown = 1053;
    public const int ErDupEntry = 1062;
    public const int ErNoSuchTable = 1146;
    public const int ErErrorDuringCommit = 1180;
    public const int ErLockWaitTimeout = 1205;
    public const int ErLockDeadlock = 1213;
    public const int ErOptionPreventsStatement = 1290;
    public const int ErQueryInterrupted = 1317;
    public const int ErConnectionKilled = 1927;

    /// <summary>Server errors that roll the statement (and with it our transaction) back: the op certainly did not apply.</summary>
    private static readonly HashSet<int> Definite =
        [ErLockDeadlock, ErLockWaitTimeout, ErCheckRead, ErUnknownComError, ErDupEntry, ErOptionPreventsStatement, ErNoSuchTable];

    /// <summary>Server errors that say nothing about whether a write already committed.</summary>
    private static readonly HashSet<int> Uncertain = [ErQueryInterrupted, ErServerShutdown, ErConnectionKilled, ErErrorDuringCommit];

    public static Operation Complete(Operation op, Exception e, OpKind kind, OpProgress progress) =>
        Complete(op, ServerError(e), Describe(e), kind, progress);

    /// <summary>The mapping itself: <paramref name="serverError"/> is the server's error number, or null for a
    /// client-side error (timeout, lost connection, cancellation).</summary>
    public static Operation Complete(Operation op, int? serverError, string error, OpKind kind, OpProgress progress)
    {
        if (!progress.Sent || kind == OpKind.Read) return op.Fail(error);
        if (serverError is { } code)
        {
            if (Definite.Contains(code)) return op.Fail(error);
            // Any other server error aborts the statement; before COMMIT our transaction is then rolled back.
            if (!Uncertain.Contains(code) && (kind == OpKind.Write || !progress.Committing)) return op.Fail(error);
        }
        if (kind == OpKind.Transaction && !progress.Committing) return op.Fail(error);
        return op.Info(error);
    }

    /// <summary>The server's error number, or null for client-side errors (timeouts, lost connections).</summary>
    public static int? ServerError(Exception e) =>
        e is MySqlException me && me.ErrorCode != MySqlErrorCode.UnableToConnectToHost && me.InnerException is null
            && me.Number is (>= 1000 and < 2000) or >= 3000 ? me.Number : null;

    /// <summary>A short machine-friendly error for the history.</summary>
    public static string Describe(Exception e)
    {
        if (ServerError(e) is { } code)
        {
            return code switch
            {
                ErLockDeadlock => "deadlock",
                ErLockWaitTimeout => "lock-wait-timeout",
                ErCheckRead => "record-changed",
                ErUnknownComError => "wsrep-not-ready",
                ErDupEntry => "duplicate-key",
                ErOptionPreventsStatement => "read-only",
                ErQueryInterrupted => "query-interrupted",
                ErServerShutdown => "server-shutdown",
                ErConnectionKilled => "connection-killed",
                ErErrorDuringCommit => "error-during-commit",
                _ => $"mysql-{code}: {e.Message}",
            };
        }
        return e switch
        {
            MySqlException { ErrorCode: MySqlErrorCode.CommandTimeoutExpired } => "timeout",
            MySqlException { InnerException: TimeoutException } => "timeout",
            TimeoutException or OperationCanceledException => "timeout",
            MySqlException { ErrorCode: MySqlErrorCode.UnableToConnectToHost } => "cannot-connect",
            MySqlException { InnerException: System.Net.Sockets.SocketException se } => $"socket-{se.SocketErrorCode}".ToLowerInvariant(),
            MySqlException { InnerException: IOException or EndOfStreamException } => "connection-lost",
            MySqlException me => $"mysql-client-{me.Number}: {me.Message}",
            IOException => "connection-lost",
            _ => $"{e.GetType().Name}: {e.Message}",
        };
    }
}
