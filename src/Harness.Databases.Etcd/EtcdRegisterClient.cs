using System.Globalization;
using Etcdserverpb;
using Harness.Core.Control;
using Harness.Core.Histories;
using Harness.Core.Runs;
using Harness.Workloads;

namespace Harness.Databases.Etcd;

/// <summary>
/// Keyed registers at keys <c>r/&lt;k&gt;</c> (Jepsen's etcd register): read = Range (linearizable, or serializable
/// with --serializable-reads), write = Put, cas = a Txn comparing the value (a missing key never compares equal)
/// with the Put in its success branch; compare false: Fail cas-mismatch.
/// </summary>
public sealed class EtcdRegisterClient(EtcdDatabase db, Node node) : EtcdClientBase(db, node)
{
    public static Task<Harness.Core.Clients.IClient> OpenAsync(EtcdDatabase db, RunContext run, Node node, CancellationToken ct) =>
        Task.FromResult<Harness.Core.Clients.IClient>(new EtcdRegisterClient(db, node));

    public override Task<Operation> InvokeAsync(Operation op, CancellationToken ct)
    {
        var key = op.Value?.Get("key")?.AsLong() ?? throw new ArgumentException($"register op without a key: {op}", nameof(op));
        var value = op.Value.Get("value") ?? Datum.Nil;
        var k = Bytes($"r/{key}");
        return op.F switch
        {
            RegisterWorkload.Read => RunAsync(op, isRead: true, async call =>
            {
                var r = await Kv.RangeAsync(new RangeRequest { Key = k, Serializable = SerializableReads }, call);
                var v = r.Kvs.Count == 0 ? Datum.Nil : Datum.Of(long.Parse(r.Kvs[0].Value.ToStringUtf8(), CultureInfo.InvariantCulture));
                return op.Ok(Values.KeyValue(key, v));
            }, ct, SerializableReads),
            RegisterWorkload.Write => RunAsync(op, isRead: false, async call =>
            {
                await Kv.PutAsync(new PutRequest { Key = k, Value = Bytes(Text(value.AsLong())) }, call);
                return op.Ok();
            }, ct),
            RegisterWorkload.Cas => RunAsync(op, isRead: false, async call =>
            {
                var txn = new TxnRequest
                {
                    Compare = { new Compare { Key = k, Target = Compare.Types.CompareTarget.Value, Result = Compare.Types.CompareResult.Equal, Value = Bytes(Text(value[0].AsLong())) } },
                    Success = { new RequestOp { RequestPut = new PutRequest { Key = k, Value = Bytes(Text(value[1].AsLong())) } } },
                };
                var r = await Kv.TxnAsync(txn, call);
                return r.Succeeded ? op.Ok() : op.Fail("cas-mismatch");
            }, ct),
            _ => throw new ArgumentException($"the register client has no '{op.F}'", nameof(op)),
        };
    }

    private static string Text(long v) => v.ToString(CultureInfo.InvariantCulture);
}
