using System.Globalization;
using Etcdserverpb;
using Harness.Core.Control;
using Harness.Core.Histories;
using Harness.Core.Runs;
using Harness.Workloads;

namespace Harness.Databases.Etcd;

/// <summary>A set as one key per element, <c>s/&lt;v&gt;</c>: add = Put; read = a keys-only Range over the prefix
/// (tried again while it fails, see <see cref="ReadAsync"/>).</summary>
public sealed class EtcdSetClient(EtcdDatabase db, Node node) : EtcdClientBase(db, node)
{
    private const string Prefix = "s/";

    public static Task<Harness.Core.Clients.IClient> OpenAsync(EtcdDatabase db, RunContext run, Node node, CancellationToken ct) =>
        Task.FromResult<Harness.Core.Clients.IClient>(new EtcdSetClient(db, node));

    public override Task<Operation> InvokeAsync(Operation op, CancellationToken ct) => op.F switch
    {
        SetWorkload.Add => RunAsync(op, isRead: false, async call =>
        {
            await Kv.PutAsync(new PutRequest { Key = Bytes(Prefix + op.Value!.AsLong().ToString(CultureInfo.InvariantCulture)), Value = Bytes("1") }, call);
            return op.Ok();
        }, ct),
        SetWorkload.Read => ReadAsync(op, ct),
        _ => throw new ArgumentException($"the set client has no '{op.F}'", nameof(op)),
    };

    /// <summary>Reads the whole set, trying again after a failed attempt (a failed read changed nothing) for up to
    /// twice the op timeout: the final read comes soon after the heal, when the cluster may still be electing a
    /// leader (without --pre-vote, a member that was cut off deposes the leader when it rejoins).</summary>
    private async Task<Operation> ReadAsync(Operation op, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + 2 * Db.Settings.OpTimeout;
        while (true)
        {
            var done = await RunAsync(op, isRead: true, async call =>
            {
                var r = await Kv.RangeAsync(new RangeRequest { Key = Bytes(Prefix), RangeEnd = PrefixEnd(Prefix), KeysOnly = true, Serializable = SerializableReads }, call);
                var values = r.Kvs.Select(kv => long.Parse(kv.Key.ToStringUtf8()[Prefix.Length..], CultureInfo.InvariantCulture)).Order().ToArray();
                return op.Ok(Datum.Ints(values));
            }, ct, SerializableReads);
            if (!done.IsFail || DateTime.UtcNow > deadline || ct.IsCancellationRequested) return done;
            try { await Task.Delay(200, ct); }
            catch (OperationCanceledException) { return done; }
        }
    }
}
