using System.Net;
using Harness.Core.Clients;
using Harness.Core.Control;
using Harness.Core.Histories;
using StackExchange.Redis;

namespace Harness.Databases.Redis;

/// <summary>
/// What every Redis client shares: one StackExchange.Redis connection per server it talks to (each to that one
/// endpoint only, fail-fast backlog, so a command is either sent once or refused), writes routed to the primary as
/// this client last learned it from the harness's Sentinel follower (refreshed every second and after an error, like
/// an application that caches its primary's address), reads where --read-from says, WAIT after each write with
/// --wait, and the error mapping of <see cref="RedisErrors"/>.
/// </summary>
public abstract class RedisClientBase : IClient
{
    private readonly Dictionary<string, ConnectionMultiplexer> _connections = [];
    private readonly ClientRouting _routing;

    protected RedisClientBase(RedisDatabase db, Node node)
    {
        Db = db;
        _routing = new ClientRouting(db.Nodes, node, () => db.Primary, db.Settings.ReadFrom);
    }

    protected RedisDatabase Db { get; }

    protected Node Node => _routing.Node;

    /// <summary>Where writes go: the primary as this client last learned it (<see cref="ClientRouting"/>).</summary>
    protected Node WriteNode => _routing.WriteNode;

    /// <summary>Where reads go: the primary, or this client's sticky replica.</summary>
    protected Node ReadNode => _routing.ReadNode;

    /// <summary>Flags of a read on <see cref="ReadNode"/>: a replica read may be served by a replica.</summary>
    protected CommandFlags ReadFlags => Db.Settings.ReadFrom == "replica" ? CommandFlags.PreferReplica : CommandFlags.None;

    public virtual Task SetupAsync(CancellationToken ct) => Task.CompletedTask;

    public abstract Task<Operation> InvokeAsync(Operation op, CancellationToken ct);

    public virtual Task TeardownAsync(CancellationToken ct) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _connections.Values) await c.DisposeAsync();
        _connections.Clear();
        GC.SuppressFinalize(this);
    }

    /// <summary>Runs <paramref name="body"/> against <paramref name="node"/>'s database; a write that the body
    /// reports done is then confirmed with WAIT when --wait asks for it.</summary>
    protected async Task<Operation> RunAsync(Operation op, Node node, bool isRead, Func<IDatabase, Task<Operation>> body, CancellationToken ct)
    {
        op = op with { Node = node.Name };
        IDatabase db;
        try
        {
            db = (await ConnectAsync(node, ct)).GetDatabase();
        }
        catch (Exception e) when (e is RedisException or TimeoutException or OperationCanceledException or IOException)
        {
            return op.Fail($"connect: {RedisErrors.Describe(e)}"); // nothing was sent
        }
        Operation done;
        try
        {
            done = await body(db).WaitAsync(Db.Settings.OpTimeout + TimeSpan.FromSeconds(1), ct);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            _routing.Forget();
            return RedisErrors.Complete(op, e, isRead);
        }
        if (isRead || !done.IsOk || Db.Settings.Wait == 0) return done with { Node = node.Name };
        // The write is done: whatever WAIT answers (or fails with) only says how many replicas have it
        try
        {
            // WAIT counts the replicas that acknowledged this connection's writes so far (one connection per client and node)
            var waitMillis = (long)(Db.Settings.OpTimeout.TotalMilliseconds / 2);
            var acked = (long)await db.ExecuteAsync("WAIT", Db.Settings.Wait, waitMillis).WaitAsync(Db.Settings.OpTimeout + TimeSpan.FromSeconds(1), ct);
            return RedisErrors.AfterWait(op, done with { Node = node.Name }, Db.Settings.Wait, acked, null);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            _routing.Forget();
            return RedisErrors.AfterWait(op, done with { Node = node.Name }, Db.Settings.Wait, 0, e);
        }
    }

    private async Task<ConnectionMultiplexer> ConnectAsync(Node node, CancellationToken ct)
    {
        if (_connections.TryGetValue(node.Name, out var existing)) return existing;
        var timeout = (int)Db.Settings.OpTimeout.TotalMilliseconds;
        var options = new ConfigurationOptions
        {
            EndPoints = { new IPEndPoint(IPAddress.Parse(node.Address), RedisDatabase.Port) },
            AbortOnConnectFail = false,
            ConnectTimeout = 1000,
            ConnectRetry = 1,
            SyncTimeout = timeout,
            AsyncTimeout = timeout,
            BacklogPolicy = BacklogPolicy.FailFast,
            ReconnectRetryPolicy = new LinearRetry(250),
            KeepAlive = 1,
            ClientName = "harness",
        };
        var conn = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(TimeSpan.FromSeconds(3), ct);
        _connections[node.Name] = conn;
        return conn;
    }
}
