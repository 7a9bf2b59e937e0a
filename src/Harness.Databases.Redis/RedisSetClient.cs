using Harness.Core.Control;
using Harness.Core.Histories;
using Harness.Core.Runs;
using Harness.Workloads;
using StackExchange.Redis;

namespace Harness.Databases.Redis;

/// <summary>A set at key <c>s</c>: add = SADD on the primary; read = SMEMBERS on the current primary (after a
/// failover the promoted server, so adds the old primary acknowledged and never replicated show up as lost),
/// tried again while it fails for up to twice the op timeout (the final read may come during a failover).</summary>
public sealed class RedisSetClient(RedisDatabase db, Node node) : RedisClientBase(db, node)
{
    private static readonly RedisKey Key = "s";

    public static Task<Harness.Core.Clients.IClient> OpenAsync(RedisDatabase db, RunContext run, Node node, CancellationToken ct) =>
        Task.FromResult<Harness.Core.Clients.IClient>(new RedisSetClient(db, node));

    public override async Task<Operation> InvokeAsync(Operation op, CancellationToken ct)
    {
        switch (op.F)
        {
            case SetWorkload.Add:
                return await RunAsync(op, WriteNode, isRead: false, async db =>
                {
                    await db.SetAddAsync(Key, op.Value!.AsLong(), CommandFlags.DemandMaster);
                    return op.Ok();
                }, ct);
            case SetWorkload.Read:
                var deadline = DateTime.UtcNow + 2 * Db.Settings.OpTimeout;
                while (true)
                {
                    var done = await RunAsync(op, WriteNode, isRead: true, async db =>
                    {
                        var members = await db.SetMembersAsync(Key, CommandFlags.DemandMaster);
                        return op.Ok(Datum.Ints([.. members.Select(m => (long)m).Order()]));
                    }, ct);
                    if (!done.IsFail || DateTime.UtcNow > deadline || ct.IsCancellationRequested) return done;
                    try { await Task.Delay(200, ct); }
                    catch (OperationCanceledException) { return done; }
                }
            default:
                throw new ArgumentException($"the set client has no '{op.F}'", nameof(op));
        }
    }
}
