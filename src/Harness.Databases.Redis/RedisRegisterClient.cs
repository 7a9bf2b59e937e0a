using System.Globalization;
using Harness.Core.Control;
using Harness.Core.Histories;
using Harness.Core.Runs;
using Harness.Workloads;
using StackExchange.Redis;

namespace Harness.Databases.Redis;

/// <summary>Keyed registers at <c>r:&lt;k&gt;</c>: read = GET, write = SET, cas = a Lua script (atomic) that sets the
/// new value only when GET returns the old one (0: Fail cas-mismatch).</summary>
public sealed class RedisRegisterClient(RedisDatabase db, Node node) : RedisClientBase(db, node)
{
    private const string CasScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 else return 0 end";

    public static Task<Harness.Core.Clients.IClient> OpenAsync(RedisDatabase db, RunContext run, Node node, CancellationToken ct) =>
        Task.FromResult<Harness.Core.Clients.IClient>(new RedisRegisterClient(db, node));

    public override Task<Operation> InvokeAsync(Operation op, CancellationToken ct)
    {
        var key = op.Value?.Get("key")?.AsLong() ?? throw new ArgumentException($"register op without a key: {op}", nameof(op));
        var value = op.Value.Get("value") ?? Datum.Nil;
        RedisKey k = $"r:{key.ToString(CultureInfo.InvariantCulture)}";
        return op.F switch
        {
            RegisterWorkload.Read => RunAsync(op, ReadNode, isRead: true, async db =>
            {
                var v = await db.StringGetAsync(k, ReadFlags);
                return op.Ok(Values.KeyValue(key, v.IsNull ? Datum.Nil : Datum.Of(long.Parse(v.ToString(), CultureInfo.InvariantCulture))));
            }, ct),
            RegisterWorkload.Write => RunAsync(op, WriteNode, isRead: false, async db =>
            {
                await db.StringSetAsync(k, value.AsLong(), flags: CommandFlags.DemandMaster);
                return op.Ok();
            }, ct),
            RegisterWorkload.Cas => RunAsync(op, WriteNode, isRead: false, async db =>
            {
                var r = await db.ScriptEvaluateAsync(CasScript, [k], [value[0].AsLong(), value[1].AsLong()], CommandFlags.DemandMaster);
                return (long)r == 1 ? op.Ok() : op.Fail("cas-mismatch");
            }, ct),
            _ => throw new ArgumentException($"the register client has no '{op.F}'", nameof(op)),
        };
    }
}
