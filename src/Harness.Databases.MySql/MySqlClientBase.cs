using System.Data;
using Harness.Core.Clients;
using Harness.Core.Control;
using Harness.Core.Histories;
using MySqlConnector;

namespace Harness.Databases.MySql;

/// <summary>
/// What every MariaDB client shares: one long-lived connection per node (opened lazily, dropped after any error
/// that may have broken it), routing (writes to the current primary, or to the client's own node with galera and
/// multi-primary; reads per --read-from) and the error mapping of <see cref="MySqlErrors"/>.
/// </summary>
public abstract class MySqlClientBase : IClient
{
    private readonly NodeConnections<MySqlConnection> _connections;
    private readonly ClientRouting _routing;

    protected MySqlClientBase(MySqlDatabase db, Node node)
    {
        Db = db;
        _routing = new ClientRouting(db.Nodes, node, () => db.Primary, db.Settings.ReadFrom, db.Settings.EveryNodeWrites);
        _connections = new NodeConnections<MySqlConnection>(n => new MySqlConnection(db.ConnectionString(n)));
    }

    protected MySqlDatabase Db { get; }

    /// <summary>The node this client was opened for.</summary>
    protected Node Node => _routing.Node;

    /// <summary>Where writes go: the client's own node (galera, multi-primary) or the primary as last learned (<see cref="ClientRouting"/>).</summary>
    protected Node WriteNode => _routing.WriteNode;

    /// <summary>Where reads go: the write node, this client's sticky replica, or a random node per read.</summary>
    protected Node ReadNode => _routing.ReadNode;

    public abstract Task SetupAsync(CancellationToken ct);

    public abstract Task<Operation> InvokeAsync(Operation op, CancellationToken ct);

    public virtual Task TeardownAsync(CancellationToken ct) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _connections.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Runs <paramref name="body"/> on a connection to <paramref name="node"/> and completes the op: Ok with
    /// the body's value, otherwise Fail/Info per <see cref="MySqlErrors"/>.</summary>
    protected async Task<Operation> RunAsync(Operation op, Node node, OpKind kind,
        Func<MySqlConnection, OpProgress, CancellationToken, Task<Operation>> body, CancellationToken ct)
    {
        var progress = new OpProgress();
        op = op with { Node = node.Name };
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(Db.Settings.OpTimeout + TimeSpan.FromSeconds(1));
        try
        {
            var conn = await _connections.GetAsync(node, budget.Token);
            progress.Sent = true;
            var done = await body(conn, progress, budget.Token);
            return done with { Node = node.Name };
        }
        catch (Exception e) when (e is MySqlException or TimeoutException or OperationCanceledException or IOException or InvalidOperationException)
        {
            // a server error leaves the connection usable; anything else may have broken it
            if (MySqlErrors.ServerError(e) is null || MySqlErrors.ServerError(e) is MySqlErrors.ErConnectionKilled or MySqlErrors.ErServerShutdown) await _connections.DropAsync(node);
            _routing.Forget();
            return MySqlErrors.Complete(op, e, kind, progress);
        }
    }

    /// <summary>Runs a transaction at the test's isolation level; any error rolls it back (when the connection still works).</summary>
    protected async Task<T> InTransactionAsync<T>(MySqlConnection conn, OpProgress progress, Func<MySqlTransaction, Task<T>> body, CancellationToken ct)
    {
        var isolation = Db.Settings.Isolation switch
        {
            "read-uncommitted" => IsolationLevel.ReadUncommitted,
            "read-committed" => IsolationLevel.ReadCommitted,
            "repeatable-read" => IsolationLevel.RepeatableRead,
            _ => IsolationLevel.Serializable,
        };
        await using var tx = await conn.BeginTransactionAsync(isolation, ct);
        T result;
        try
        {
            result = await body(tx);
        }
        catch (MySqlException e) when (MySqlErrors.ServerError(e) is not null)
        {
            try { await tx.RollbackAsync(CancellationToken.None); }
            catch (Exception r) when (r is MySqlException or IOException or InvalidOperationException) { }
            throw;
        }
        progress.Committing = true;
        await tx.CommitAsync(ct);
        return result;
    }

    /// <summary>Runs DDL (and seed rows) on the first primary, then waits until every node has it.</summary>
    protected async Task ExecuteSetupAsync(string sql, CancellationToken ct)
    {
        var node = Db.Nodes.Count > 0 ? Db.Nodes[0] : Node;
        if (!Db.Settings.EveryNodeWrites) node = Db.Primary ?? node;
        var conn = await _connections.GetAsync(node, ct);
        await using (var cmd = new MySqlCommand(sql, conn)) await cmd.ExecuteNonQueryAsync(ct);
        await Db.WaitForCatchUpAsync(node, ct);
    }
}
