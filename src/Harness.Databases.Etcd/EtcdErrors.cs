using Grpc.Core;
using Harness.Core.Histories;

namespace Harness.Databases.Etcd;

/// <summary>
/// Maps a failed etcd call to Fail (certainly not applied) or Info (unknown), by the rule of
/// docs/history-format.md. A read, or a transaction of reads only, changes nothing: any error is Fail. A write
/// (put, or a transaction with a put) is Fail only when etcd rejected it before proposing it to Raft, or the
/// call never reached the server:
/// <list type="bullet">
/// <item>InvalidArgument, OutOfRange, FailedPrecondition, NotFound, AlreadyExists, PermissionDenied,
///   Unauthenticated, Unimplemented: request checks and auth (etcd's api/v3rpc/rpctypes: empty key, too many
///   ops, duplicate key, compacted or future revision, permission denied...), all before the proposal;</item>
/// <item>ResourceExhausted: "etcdserver: too many requests" (applied index too far behind the committed one) and
///   "mvcc: database space exceeded" (the NOSPACE alarm), both refused before the proposal;</item>
/// <item>Unavailable "etcdserver: no leader": the require-leader check of the gRPC interceptor (the client sends
///   the <c>hasleader</c> metadata), before the request handler runs; "etcdserver: not capable";</item>
/// <item>Unknown "raft proposal dropped": a follower that knows no leader drops the proposal without appending
///   or forwarding it;</item>
/// <item>the connection could not be opened (refused, unreachable, connect timeout): nothing was sent.</item>
/// </list>
/// Everything else is Info: DeadlineExceeded and Cancelled (the proposal may commit later), Unavailable
/// "etcdserver: request timed out" (and its "due to leader failure / connection lost" forms), "leader changed",
/// "server stopped", a connection lost after the request was sent, Internal, Unknown. Such a write is never
/// retried: the client's channel has no retry policy.
/// </summary>
public static class EtcdErrors
{
    public const string NoLeader = "etcdserver: no leader";
    public const string NotCapable = "etcdserver: not capable";
    public const string ProposalDropped = "raft proposal dropped";

    /// <summary>The completion of <paramref name="op"/> after <paramref name="e"/>; <paramref name="isRead"/>: the op writes nothing.</summary>
    public static Operation Complete(Operation op, Exception e, bool isRead)
    {
        var error = Describe(e);
        return isRead || IsDefinite(e) ? op.Fail(error) : op.Info(error);
    }

    /// <summary>True when a write that failed with <paramref name="e"/> certainly did not apply.</summary>
    public static bool IsDefinite(Exception e)
    {
        if (e is not RpcException rpc) return false;
        return rpc.StatusCode switch
        {
            StatusCode.InvalidArgument or StatusCode.OutOfRange or StatusCode.FailedPrecondition or StatusCode.NotFound
                or StatusCode.AlreadyExists or StatusCode.PermissionDenied or StatusCode.Unauthenticated
                or StatusCode.Unimplemented or StatusCode.ResourceExhausted => true,
            StatusCode.Unavailable => rpc.Status.Detail is NoLeader or NotCapable || NeverConnected(rpc),
            StatusCode.Unknown => rpc.Status.Detail == ProposalDropped,
            _ => false,
        };
    }

    /// <summary>grpc-dotnet's status when its subchannel could not connect: the call was never given a transport.</summary>
    public const string SubchannelConnectFailed = "Error connecting to subchannel.";

    /// <summary>The connection could not be opened, so the request was never sent: grpc-dotnet's subchannel could not
    /// connect (its status detail, with the SocketException), or the HTTP handler failed while connecting
    /// (HttpRequestError.ConnectionError: refused, unreachable, connect timeout). A connection lost after the
    /// request went out is another error (ResponseEnded, HttpProtocolError, an IOException...).</summary>
    private static bool NeverConnected(RpcException rpc)
    {
        if (rpc.Status.Detail == SubchannelConnectFailed) return true;
        for (var x = rpc.Status.DebugException; x is not null; x = x.InnerException)
            if (x is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError }) return true;
        return false;
    }

    /// <summary>A short machine-friendly error for the history.</summary>
    public static string Describe(Exception e) => e switch
    {
        RpcException { StatusCode: StatusCode.DeadlineExceeded } => "timeout",
        RpcException { StatusCode: StatusCode.Cancelled } => "cancelled",
        RpcException rpc when rpc.StatusCode == StatusCode.Unavailable && NeverConnected(rpc) => "connect-failed",
        RpcException rpc => $"{Code(rpc.StatusCode)}: {Trim(rpc.Status.Detail)}",
        OperationCanceledException => "timeout",
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    private static string Code(StatusCode code) => code switch
    {
        StatusCode.Unavailable => "unavailable",
        StatusCode.ResourceExhausted => "resource-exhausted",
        StatusCode.InvalidArgument => "invalid-argument",
        StatusCode.OutOfRange => "out-of-range",
        StatusCode.Internal => "internal",
        StatusCode.Unknown => "unknown",
        var other => other.ToString().ToLowerInvariant(),
    };

    private static string Trim(string detail)
    {
        var d = detail.StartsWith("etcdserver: ", StringComparison.Ordinal) ? detail["etcdserver: ".Length..] : detail;
        return d.Length > 160 ? d[..160] : d;
    }
}
