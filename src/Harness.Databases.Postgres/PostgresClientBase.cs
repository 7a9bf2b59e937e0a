using System.Data;
using Harness.Core.Clients;
using Harness.Core.Control;
using Harness.Core.Histories;
using Npgsql;

namespace Harness.Databases.Postgres;

/// <summary>
/// What every PostgreSQL client shares: one long-lived connection per node (opened lazily, dropped after
/// any error that may have broken it), routing (writes to the current primary, reads per --read-from), the
/// error mapping of <see cref="PostgresErrors"/>, and detection of the "canceling wait for synchronous
/// replication" warning through <see cref="NpgsqlConnection.Notice"/>.
/// </summary>
public abstract class PostgresClientBase : IClient
{
    private readonly NodeConnections<NpgsqlConnection> _connections;
    private readonly ClientRouting _routing;
    private volatile bool _syncRepCancelled;

    protected PostgresClientBase(PostgresDatabase db, Node node)
    {
        Db = db;
        _routing = new ClientRouting(db.Nodes, node, () => db.Primary, db.Settings.ReadFrom);
        _connections = new NodeConnections<NpgsqlConnection>(n =>
        {
            var conn = new NpgsqlConnection(db.ConnectionString(n));
            conn.Notice += (_, e) =>
            {
                if (e.Notice.MessageText.Contains(PostgresErrors.SyncRepCancelledWarning, StringComparison.OrdinalIgnoreCase)) _syncRepCancelled = true;
            };
            return conn;
        });
    }

    protected PostgresDatabase Db { get; }

    /// <summary>The node this client was opened for.</summary>
    protected Node Node => _routing.Node;

    /// <summary>Where writes go: the primary as this client last learned it (<see cref="ClientRouting"/>).</summary>
    protected Node WriteNode => _routing.WriteNode;

    /// <summary>Where reads go: the primary, this client's sticky replica, or a random node per read.</summary>
    protected Node ReadNode => _routing.ReadNode;

    public abstract Task SetupAsync(CancellationToken ct);

    public abstract Task<Operation> InvokeAsync(Operation op, CancellationToken ct);

    public virtual Task TeardownAsync(CancellationToken ct) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _connections.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Runs <paramref name="body"/> on a connection to <paramref name="node"/> and completes the op: Ok with the
    /// body's value, Info when a commit carried the sync-rep-cancelled warning, otherwise Fail/Info per the error.
    /// </summary>
    protected async Task<Operation> RunAsync(Operation op, Node node, OpKind kind,
        Func<NpgsqlConnection, OpProgress, CancellationToken, Task<Operation>> body, CancellationToken ct)
    {
        var progress = new OpProgress();
        op = op with { Node = node.Name };
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(Db.Settings.OpTimeout + TimeSpan.FromSeconds(2));
        try
        {
            var conn = await _connections.GetAsync(node, budget.Token);
            _syncRepCancelled = false;
            progress.Sent = true;
            var done = await body(conn, progress, budget.Token);
            if (_syncRepCancelled && kind != OpKind.Read) return op.Info(PostgresErrors.SyncRepCancelled);
            return done with { Node = node.Name };
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException or IOException or InvalidOperationException)
        {
            if (e is not PostgresException { Severity: "ERROR" }) await _connections.DropAsync(node);
            _routing.Forget();
            return PostgresErrors.Complete(op, e, kind, progress);
        }
    }

    /// <summary>Runs a transaction at the test's isolation level (repeatable read on a standby, which has no serializable).</summary>
    protected async Task<T> InTransactionAsync<T>(NpgsqlConnection conn, OpProgress progress, bool onStandby,
        Func<NpgsqlTransaction, Task<T>> body, CancellationToken ct)
    {
        var isolation = Db.Settings.Isolation switch
        {
            "read-committed" => IsolationLevel.ReadCommitted,
            "repeatable-read" => IsolationLevel.RepeatableRead,
            _ => onStandby ? IsolationLevel.RepeatableRead : IsolationLevel.Serializable,
        };
        await using var tx = await conn.BeginTransactionAsync(isolation, ct);
        var result = await body(tx);
        progress.Committing = true;
        await tx.CommitAsync(ct);
        return result;
    }

    /// <summary>Runs DDL on the primary, ignoring "already exists" races between clients.</summary>
    protected async Task ExecuteDdlAsync(string sql, CancellationToken ct)
    {
        var node = WriteNode;
        try
        {
            var conn = await _connections.GetAsync(node, ct);
            await using var cmd = new NpgsqlCommand(sql, conn);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.DuplicateObject)
        {
        }
    }
}
