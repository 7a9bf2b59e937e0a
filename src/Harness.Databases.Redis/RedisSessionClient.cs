using Harness.Core.Control;
using Harness.Core.Histories;
using Harness.Core.Runs;
using Harness.Workloads;
using StackExchange.Redis;

namespace Harness.Databases.Redis;

/// <summary>The session workload (single micro-op list-append): append = RPUSH on the primary; read = LRANGE where
/// --read-from says (replica: this client's sticky replica, so each client process is a session bound to it).</summary>
public sealed class RedisSessionClient(RedisDatabase db, Node node) : RedisClientBase(db, node)
{
    public static Task<Harness.Core.Clients.IClient> OpenAsync(RedisDatabase db, RunContext run, Node node, CancellationToken ct) =>
        Task.FromResult<Harness.Core.Clients.IClient>(new RedisSessionClient(db, node));

    public override Task<Operation> InvokeAsync(Operation op, CancellationToken ct)
    {
        if (op.F != ListAppendWorkload.Txn || op.Value is not { IsSeq: true, Count: 1 } txn) throw new ArgumentException($"the session client takes f txn with one micro-op, not {op}", nameof(op));
        var m = txn[0];
        RedisKey key = $"l:{m[1].AsLong()}";
        if (m[0].AsName() == ListAppendWorkload.Append)
            return RunAsync(op, WriteNode, isRead: false, async db =>
            {
                await db.ListRightPushAsync(key, m[2].AsLong(), flags: CommandFlags.DemandMaster);
                return op.Ok();
            }, ct);
        return RunAsync(op, ReadNode, isRead: true, async db =>
        {
            var values = await db.ListRangeAsync(key, flags: ReadFlags);
            return op.Ok(Datum.Vec(Datum.Vec(m[0], m[1], Datum.Ints([.. values.Select(v => (long)v)]))));
        }, ct);
    }
}
