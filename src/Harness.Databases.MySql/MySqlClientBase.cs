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
    private readonly Dictionary<string, MySqlConnection> _connections = [];
    private readonly Node _replica;
    private readonly Random _random;
    private Node? _knownPrimary;
    private long _knownAt;

    protected MySqlClientBase(MySqlDatabase db, Node node)
    {
        Db = db;
        Node = node;
        var replicas = db.Nodes.Where(n => n != db.Primary).ToList();
        _replica = replicas.Count == 0 ? node : replicas.Contains(node) ? node : replicas[Math.Abs(node.Number) % replicas.Count];
        _random = new Random(node.Number);
    }

    protected MySqlDatabase Db { get; }

    /// <summary>The node this client was opened for.</summary>
    protected Node Node { get; }

    /// <summary>How long a client keeps using the primary it knows before asking again (after a promotion, clients
    /// switch within this time or at their next error).</summary>
    public static readonly TimeSpan PrimaryRefresh = TimeSpan.FromSeconds(1);

    /// <summary>Where writes go: the client's own node (galera, multi-primary) or the primary as last learned.</summary>
    protected Node WriteNode
    {
        get
        {
            if (Db.Settings.EveryNodeWrites) return Node;
            var now = Environment.TickCount64;
            if (_knownPrimary is null || now - _knownAt > (long)PrimaryRefresh.TotalMilliseconds)
            {
                _knownPrimary = Db.Primary ?? Node;
                _knownAt = now;
            }
            return _knownPrimary;
        }
    }

    /// <summary>Where reads go: the write node, this client's sticky replica, or a random node per read.</summary>
    protected Node ReadNode => Db.Settings.ReadFrom switch
    {
        "replica" => _replica,
        "any" => Db.Nodes.Count == 0 ? Node : Db.Nodes[_random.Next(Db.Nodes.Count)],
        _ => WriteNode,
    };

    public abstract Task SetupAsync(CancellationToken ct);

    public abstract Task<Operation> InvokeAsync(Operation op, CancellationToken ct);

    public virtual Task TeardownAsync(CancellationToken ct) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _connections.Values)
        {
            try { await c.DisposeAsync(); }
            catch (Exception e) when (e is MySqlException or IOException or TimeoutException) { }
        }
        _connections.Clear();
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
            var conn = await ConnectAsync(node, budget.Token);
            progress.Sent = true;
            var done = await body(conn, progress, budget.Token);
            return done with { Node = node.Name };
        }
        catch (Exception e) when (e is MySqlException or TimeoutException or OperationCanceledException or IOException or InvalidOperationException)
        {
            // a server error leaves the connection usable; anything else may have broken it
            if (MySqlErrors.ServerError(e) is null || MySqlErrors.ServerError(e) is MySqlErrors.ErConnectionKilled or MySqlErrors.ErServerShutdown) await DropAsync(node);
            _knownPrimary = null;
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
        var conn = await ConnectAsync(node, ct);
        await using (var cmd = new MySqlCommand(sql, conn)) await cmd.ExecuteNonQueryAsync(ct);
        await Db.WaitForCatchUpAsync(node, ct);
    }

    private async Task<MySqlConnection> ConnectAsync(Node node, CancellationToken ct)
    {
        if (_connections.TryGetValue(node.Name, out var existing) && existing.State == ConnectionState.Open) return existing;
        if (existing is not null) await DropAsync(node);
        var conn = new MySqlConnection(Db.ConnectionString(node));
        try
        {
            await conn.OpenAsync(ct);
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
        _connections[node.Name] = conn;
        return conn;
    }

    private async Task DropAsync(Node node)
    {
        if (!_connections.Remove(node.Name, out var conn)) return;
        try { await conn.DisposeAsync(); }
        catch (Exception e) when (e is MySqlException or IOException or TimeoutException) { }
    }
}
