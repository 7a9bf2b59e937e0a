using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Harness.Core.Clients;
using Harness.Core.Control;
using Harness.Core.Histories;

namespace Harness.Databases.Etcd;

/// <summary>
/// What every etcd client shares: its own gRPC channel to the one node it was opened for (as Jepsen's etcd
/// clients do: a client on a minority member sees that member's answers), every call with the op deadline and
/// the require-leader metadata, and the error mapping of <see cref="EtcdErrors"/>.
/// </summary>
public abstract class EtcdClientBase(EtcdDatabase db, Node node) : IClient
{
    private readonly GrpcChannel _channel = EtcdDatabase.OpenChannel(node);

    protected EtcdDatabase Db { get; } = db;

    protected Node Node { get; } = node;

    protected KV.KVClient Kv => new(_channel);

    /// <summary>Reads are serializable (served from the member's own state) with --serializable-reads.</summary>
    protected bool SerializableReads => Db.Settings.SerializableReads;

    public virtual Task SetupAsync(CancellationToken ct) => Task.CompletedTask;

    public abstract Task<Operation> InvokeAsync(Operation op, CancellationToken ct);

    public virtual Task TeardownAsync(CancellationToken ct) => Task.CompletedTask;

    public ValueTask DisposeAsync()
    {
        _channel.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>Runs one call and completes the op: the body's completion, or Fail/Info per <see cref="EtcdErrors"/>.
    /// <paramref name="serializable"/>: a serializable read, sent without the require-leader metadata.</summary>
    protected async Task<Operation> RunAsync(Operation op, bool isRead, Func<CallOptions, Task<Operation>> body, CancellationToken ct, bool serializable = false)
    {
        op = op with { Node = Node.Name };
        try
        {
            return (await body(Db.Call(ct, requireLeader: !serializable))) with { Node = Node.Name };
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException or HttpRequestException or IOException or ObjectDisposedException)
        {
            return EtcdErrors.Complete(op, e, isRead);
        }
    }

    protected static ByteString Bytes(string s) => ByteString.CopyFromUtf8(s);

    /// <summary>The end of the range of every key that starts with <paramref name="prefix"/> (its last byte plus one).</summary>
    protected static ByteString PrefixEnd(string prefix)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(prefix);
        bytes[^1]++;
        return ByteString.CopyFrom(bytes);
    }
}
