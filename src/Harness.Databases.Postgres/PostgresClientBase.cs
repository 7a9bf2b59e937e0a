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
    private readonly Dictionary<string, NpgsqlConnection> _connections = [];
    private readonly Node _replica;
    private readonly Random _random;
    private volatile bool _syncRepCancelled;
    private Node? _knownPrimary;
    private long _knownAt;

    protected PostgresClientBase(PostgresDatabase db, Node node)
    {
        Db = db;
        Node = node;
        var replicas = db.Nodes.Where(n => n != db.Primary).ToList();
        _replica = replicas.Count == 0 ? node : replicas.Contains(node) ? node : replicas[Math.Abs(node.Number) % replicas.Count];
        _random = new Random(node.Number);
    }

    protected PostgresDatabase Db { get; }

    /// <summary>The node this client was opened for.</summary>
    protected Node Node { get; }

    /// <summary>How long a client keeps using the primary it knows before asking again (as an application with a
    /// cached primary address would): after a promotion, clients switch within this time or at their next error,
    /// so without fencing some keep writing to the old primary for a while (split brain).</summary>
    public static readonly TimeSpan PrimaryRefresh = TimeSpan.FromSeconds(1);

    /// <summary>Where writes go: the primary as this client last learned it (refreshed every <see cref="PrimaryRefresh"/> and after errors).</summary>
    protected Node WriteNode
    {
        get
        {
            var now = Environment.TickCount64;
            if (_knownPrimary is null || now - _knownAt > (long)PrimaryRefresh.TotalMilliseconds)
            {
                _knownPrimary = Db.Primary ?? Node;
                _knownAt = now;
            }
            return _knownPrimary;
        }
    }

    /// <summary>Where reads go: the primary, this client's sticky replica, or a random node per read.</summary>
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
        foreach (var c in _connections.Values) await c.DisposeAsync();
        _connections.Clear();
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
            var conn = await ConnectAsync(node, budget.Token);
            _syncRepCancelled = false;
            progress.Sent = true;
            var done = await body(conn, progress, budget.Token);
            if (_syncRepCancelled && kind != OpKind.Read) return op.Info(PostgresErrors.SyncRepCancelled);
            return done with { Node = node.Name };
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException or IOException or InvalidOperationException)
        {
            if (e is not PostgresException { Severity: "ERROR" }) await DropAsync(node);
            _knownPrimary = null;
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
            var conn = await ConnectAsync(node, ct);
            await using var cmd = new NpgsqlCommand(sql, conn);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.DuplicateObject)
        {
        }
    }

    private async Task<NpgsqlConnection> ConnectAsync(Node node, CancellationToken ct)
    {
        if (_connections.TryGetValue(node.Name, out var existing) && existing.State == ConnectionState.Open) return existing;
        if (existing is not null) await DropAsync(node);
        var conn = new NpgsqlConnection(Db.ConnectionString(node));
        conn.Notice += (_, e) =>
        {
            if (e.Notice.MessageText.Contains(PostgresErrors.SyncRepCancelledWarning, StringComparison.OrdinalIgnoreCase)) _syncRepCancelled = true;
        };
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
        catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException) { }
    }
}
