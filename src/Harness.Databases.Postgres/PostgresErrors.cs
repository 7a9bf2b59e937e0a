using Harness.Core.Histories;
using Npgsql;

namespace Harness.Databases.Postgres;

/// <summary>
/// Maps a failed operation to Fail (certainly not applied) or Info (unknown), by the rules of docs/history-format.md
/// (Fail only when the op certainly did not happen) and the Npgsql cases of docs/replication.md. Fail: nothing was sent (connection refused or timed out while connecting); a read; a
/// transaction that never sent COMMIT (the server rolls it back); or a server ERROR that aborts the statement
/// or transaction (40001 serialization failure, 40P01 deadlock, 23505 unique violation, 25P02, 25006 read-only...).
/// Info: timeouts, cancellations and lost connections after sending a write or a COMMIT, and FATAL errors.
/// </summary>
public static class PostgresErrors
{
    /// <summary>The warning a commit returns when its synchronous-replication wait was cancelled: it committed
    /// locally but may not be on any standby (docs/replication.md, sync-rep-cancelled). Such an op completes as Info.</summary>
    public const string SyncRepCancelledWarning = "canceling wait for synchronous replication";

    public const string SyncRepCancelled = "sync-rep-cancelled";

    public static Operation Complete(Operation op, Exception e, OpKind kind, OpProgress progress)
    {
        var error = Describe(e);
        if (!progress.Sent) return op.Fail(error);
        if (kind == OpKind.Read) return op.Fail(error);
        if (e is PostgresException pe && IsDefinite(pe, kind, progress)) return op.Fail(error);
        if (kind == OpKind.Transaction && !progress.Committing) return op.Fail(error);
        return op.Info(error);
    }

    private static bool IsDefinite(PostgresException pe, OpKind kind, OpProgress progress)
    {
        if (pe.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected
            or PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.ReadOnlySqlTransaction)
            return true;
        if (pe.SqlState == PostgresErrorCodes.InFailedSqlTransaction) return !progress.Committing || kind == OpKind.Transaction;
        // A plain ERROR (not FATAL/PANIC) aborts the statement; connection and admin errors (08, 57, XX) may hide a commit.
        return pe.Severity is "ERROR" && !pe.SqlState.StartsWith("08", StringComparison.Ordinal)
            && !pe.SqlState.StartsWith("57", StringComparison.Ordinal) && !pe.SqlState.StartsWith("XX", StringComparison.Ordinal);
    }

    /// <summary>A short machine-friendly error for the history.</summary>
    public static string Describe(Exception e) => e switch
    {
        PostgresException { SqlState: PostgresErrorCodes.SerializationFailure } => "serialization-failure",
        PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected } => "deadlock",
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } => "unique-violation",
        PostgresException { SqlState: PostgresErrorCodes.InFailedSqlTransaction } => "in-failed-transaction",
        PostgresException { SqlState: PostgresErrorCodes.ReadOnlySqlTransaction } => "read-only",
        PostgresException { SqlState: PostgresErrorCodes.CannotConnectNow } => "cannot-connect-now",
        PostgresException { SqlState: PostgresErrorCodes.QueryCanceled } => "query-canceled",
        PostgresException { SqlState: PostgresErrorCodes.AdminShutdown } => "admin-shutdown",
        PostgresException pe => $"sql-{pe.SqlState}: {pe.MessageText}",
        NpgsqlException { InnerException: TimeoutException } => "timeout",
        TimeoutException => "timeout",
        OperationCanceledException => "timeout",
        NpgsqlException { InnerException: System.Net.Sockets.SocketException se } => $"socket-{se.SocketErrorCode}".ToLowerInvariant(),
        NpgsqlException { InnerException: IOException } => "connection-lost",
        NpgsqlException ne => $"npgsql: {ne.Message}",
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
