using System.Globalization;
using Etcdserverpb;
using Harness.Core.Control;
using Harness.Core.Histories;
using Harness.Core.Runs;
using Harness.Workloads;

namespace Harness.Databases.Etcd;

/// <summary>
/// list-append (and the session workload, its single micro-op form) as one etcd Txn per op, with no compare, so
/// its success branch always runs, atomically: an append of v to list k is a Put of <c>l/&lt;k&gt;/&lt;v&gt;</c>; a
/// read of k is a Range over <c>l/&lt;k&gt;/</c>, the list being its elements in order of create revision (elements
/// appended by one txn share a revision; the generator gives them increasing values in txn order, so the value
/// breaks the tie). Reads inside a txn see the txn's own earlier puts. A txn of reads only is a read.
/// </summary>
public sealed class EtcdListAppendClient(EtcdDatabase db, Node node) : EtcdClientBase(db, node)
{
    public static Task<Harness.Core.Clients.IClient> OpenAsync(EtcdDatabase db, RunContext run, Node node, CancellationToken ct) =>
        Task.FromResult<Harness.Core.Clients.IClient>(new EtcdListAppendClient(db, node));

    public override Task<Operation> InvokeAsync(Operation op, CancellationToken ct)
    {
        if (op.F != ListAppendWorkload.Txn || op.Value is not { IsSeq: true } micro) throw new ArgumentException($"the list-append client takes f txn with micro-ops, not {op}", nameof(op));
        var readOnly = micro.Items.All(m => m[0].AsName() == ListAppendWorkload.Read);
        var txn = new TxnRequest();
        foreach (var m in micro.Items)
        {
            var key = m[1].AsLong();
            if (m[0].AsName() == ListAppendWorkload.Append)
                txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = Bytes($"{Prefix(key)}{m[2].AsLong().ToString(CultureInfo.InvariantCulture)}"), Value = Bytes("1") } });
            else
                txn.Success.Add(new RequestOp { RequestRange = new RangeRequest { Key = Bytes(Prefix(key)), RangeEnd = PrefixEnd(Prefix(key)), KeysOnly = true, Serializable = readOnly && SerializableReads } });
        }
        return RunAsync(op, readOnly, async call =>
        {
            var r = await Kv.TxnAsync(txn, call);
            var results = new List<Datum>(micro.Count);
            for (var i = 0; i < micro.Count; i++)
            {
                var m = micro[i];
                if (m[0].AsName() == ListAppendWorkload.Append)
                {
                    results.Add(m);
                    continue;
                }
                var prefix = Prefix(m[1].AsLong());
                var list = r.Responses[i].ResponseRange.Kvs
                    .Select(kv => (Rev: kv.CreateRevision, Value: long.Parse(kv.Key.ToStringUtf8()[prefix.Length..], CultureInfo.InvariantCulture)))
                    .OrderBy(e => e.Rev).ThenBy(e => e.Value).Select(e => e.Value).ToArray();
                results.Add(Datum.Vec(m[0], m[1], Datum.Ints(list)));
            }
            return op.Ok(Datum.Vec(results));
        }, ct, readOnly && SerializableReads);
    }

    private static string Prefix(long key) => $"l/{key.ToString(CultureInfo.InvariantCulture)}/";
}
