using System.Net.Sockets;
using Grpc.Core;
using Harness.Core.Histories;
using Harness.Databases.Etcd;

namespace Harness.Integration.Tests;

/// <summary>Pure tests of etcd's Fail/Info mapping (no cluster needed). Status codes and messages are etcd 3.4's
/// (api/v3rpc/rpctypes/error.go) and grpc-dotnet's.</summary>
public sealed class EtcdErrorsTests
{
    private static readonly Operation Write = Operation.Invoke(0, "write", Datum.Of(1));

    private static RpcException Rpc(StatusCode code, string detail, Exception? debug = null) => new(new Status(code, detail, debug));

    [Theory]
    [InlineData(StatusCode.InvalidArgument, "etcdserver: duplicate key given in txn request")]
    [InlineData(StatusCode.InvalidArgument, "etcdserver: too many operations in txn request")]
    [InlineData(StatusCode.OutOfRange, "etcdserver: mvcc: required revision has been compacted")]
    [InlineData(StatusCode.ResourceExhausted, "etcdserver: mvcc: database space exceeded")]
    [InlineData(StatusCode.ResourceExhausted, "etcdserver: too many requests")]
    [InlineData(StatusCode.PermissionDenied, "etcdserver: permission denied")]
    [InlineData(StatusCode.Unavailable, "etcdserver: no leader")]
    [InlineData(StatusCode.Unavailable, "etcdserver: not capable")]
    [InlineData(StatusCode.Unknown, "raft proposal dropped")]
    public void Should_Fail_When_EtcdRejectedTheWriteBeforeProposingIt(StatusCode code, string detail)
    {
        // Given a write that etcd refused before it reached Raft, When mapped, Then it certainly did not happen
        var done = EtcdErrors.Complete(Write, Rpc(code, detail), isRead: false);
        Assert.True(done.IsFail, done.ToString());
    }

    [Theory]
    [InlineData(StatusCode.Unavailable, "etcdserver: request timed out")]
    [InlineData(StatusCode.Unavailable, "etcdserver: request timed out, possibly due to previous leader failure")]
    [InlineData(StatusCode.Unavailable, "etcdserver: request timed out, possibly due to connection lost")]
    [InlineData(StatusCode.Unavailable, "etcdserver: leader changed")]
    [InlineData(StatusCode.Unavailable, "etcdserver: server stopped")]
    [InlineData(StatusCode.DeadlineExceeded, "Deadline Exceeded")]
    [InlineData(StatusCode.Cancelled, "Call canceled by the client.")]
    [InlineData(StatusCode.Internal, "Error reading next message.")]
    [InlineData(StatusCode.Unknown, "etcdserver: some new error")]
    public void Should_BeInfo_When_TheWritesOutcomeIsUnknown(StatusCode code, string detail)
    {
        // Given a write that may have been proposed (and may commit later), When mapped, Then its outcome is unknown
        var done = EtcdErrors.Complete(Write, Rpc(code, detail), isRead: false);
        Assert.True(done.IsInfo, done.ToString());
    }

    [Fact]
    public void Should_Fail_When_TheSubchannelNeverConnected()
    {
        // Given the status grpc-dotnet reports for a refused connection (measured against a closed port)
        var e = Rpc(StatusCode.Unavailable, EtcdErrors.SubchannelConnectFailed, new SocketException((int)SocketError.ConnectionRefused));
        var done = EtcdErrors.Complete(Write, e, isRead: false);
        Assert.True(done.IsFail);
        Assert.Equal("connect-failed", done.Error);
    }

    [Fact]
    public void Should_Fail_When_TheHandlerCouldNotConnect()
    {
        var e = Rpc(StatusCode.Unavailable, "Error starting gRPC call.", new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"));
        Assert.True(EtcdErrors.Complete(Write, e, isRead: false).IsFail);
    }

    [Fact]
    public void Should_BeInfo_When_TheConnectionIsLostAfterSending()
    {
        // Given a connection that ended while the call was in flight (seen when a member is killed mid-call)
        var e = Rpc(StatusCode.Unavailable, "Error starting gRPC call. HttpRequestException: The response ended prematurely",
            new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely"));
        var done = EtcdErrors.Complete(Write, e, isRead: false);
        Assert.True(done.IsInfo);
    }

    [Theory]
    [InlineData(StatusCode.DeadlineExceeded, "Deadline Exceeded", "timeout")]
    [InlineData(StatusCode.Unavailable, "etcdserver: request timed out", "unavailable: request timed out")]
    [InlineData(StatusCode.Internal, "boom", "internal: boom")]
    public void Should_FailEveryRead_Whatever_TheError(StatusCode code, string detail, string error)
    {
        // Given a read (or a txn of reads only), When any error ends it, Then it changed nothing: Fail
        var done = EtcdErrors.Complete(Operation.Invoke(0, "read", Datum.Nil), Rpc(code, detail), isRead: true);
        Assert.True(done.IsFail);
        Assert.Equal(error, done.Error);
    }

    [Fact]
    public void Should_BeInfo_When_TheCallIsCancelledLocally()
    {
        Assert.True(EtcdErrors.Complete(Write, new OperationCanceledException(), isRead: false).IsInfo);
    }
}
