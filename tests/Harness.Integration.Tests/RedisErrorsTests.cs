using Harness.Core.Histories;
using Harness.Databases.Redis;
using StackExchange.Redis;

// The exception constructors that also take CommandFlags are the preferred ones; these tests only need the
// status and reply, and the older overloads build the same exceptions.
#pragma warning disable CS0618

namespace Harness.Integration.Tests;

/// <summary>Pure tests of Redis's Fail/Info mapping (no cluster needed).</summary>
public sealed class RedisErrorsTests
{
    private static readonly Operation Write = Operation.Invoke(0, "add", Datum.Of(1));

    [Theory]
    [InlineData("READONLY You can't write against a read only replica.")]
    [InlineData("NOREPLICAS Not enough good replicas to write.")]
    [InlineData("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.")]
    [InlineData("LOADING Redis is loading the dataset in memory")]
    public void Should_Fail_When_TheServerRejectedTheWrite(string reply)
    {
        // Given an error reply (Redis rejects a command whole, before running it), Then it certainly did not happen
        Assert.True(RedisErrors.Complete(Write, new RedisServerException(reply), isRead: false).IsFail);
    }

    [Theory]
    [InlineData(CommandStatus.WaitingToBeSent, true)]
    [InlineData(CommandStatus.WaitingInBacklog, true)]
    [InlineData(CommandStatus.Sent, false)]
    [InlineData(CommandStatus.Unknown, false)]
    public void Should_FailOnlyUnsentWrites_When_TheConnectionFails(CommandStatus status, bool fail)
    {
        var e = new RedisConnectionException(ConnectionFailureType.SocketClosed, "connection lost", null, status);
        var done = RedisErrors.Complete(Write, e, isRead: false);
        Assert.Equal(fail, done.IsFail);
        Assert.Equal(!fail, done.IsInfo);
    }

    [Fact]
    public void Should_BeInfo_When_ASentWriteTimesOut()
    {
        var done = RedisErrors.Complete(Write, new RedisTimeoutException("Timeout awaiting response", CommandStatus.Sent), isRead: false);
        Assert.True(done.IsInfo);
        Assert.Equal("timeout", done.Error);
    }

    [Fact]
    public void Should_FailEveryRead_Whatever_TheError()
    {
        var e = new RedisConnectionException(ConnectionFailureType.SocketClosed, "connection lost", null, CommandStatus.Sent);
        Assert.True(RedisErrors.Complete(Operation.Invoke(0, "read", Datum.Nil), e, isRead: true).IsFail);
    }
    [Theory]
    [InlineData("READONLY You can't write against a read only replica.")]  // the primary was demoted between the write and WAIT
    [InlineData("ERR WAIT cannot be used with replica instances.")]
    public void Should_BeInfoNeverFail_When_WaitFailsWithAServerErrorAfterTheWriteSucceeded(string reply)
    {
        // Given a write the primary applied (ok), When the WAIT after it gets an error reply
        var done = RedisErrors.AfterWait(Write, Write.Ok(), wanted: 1, acked: 0, new RedisServerException(reply));

        // Then the write is not recorded as certainly not applied: it happened, only its replica count is unknown
        Assert.True(done.IsInfo);
        Assert.StartsWith(RedisErrors.WaitTimeout, done.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CommandStatus.WaitingToBeSent)]  // the connection dropped before WAIT went out
    [InlineData(CommandStatus.Sent)]
    public void Should_BeInfoNeverFail_When_TheConnectionDropsAroundTheWait(CommandStatus status)
    {
        var e = new RedisConnectionException(ConnectionFailureType.SocketClosed, "connection lost", null, status);
        var done = RedisErrors.AfterWait(Write, Write.Ok(), wanted: 1, acked: 0, e);
        Assert.True(done.IsInfo);
        Assert.Equal(Write.Value, done.Value);
    }

    [Theory]
    [InlineData(1, 1, true)]
    [InlineData(2, 1, true)]
    [InlineData(0, 1, false)]
    [InlineData(1, 2, false)]
    public void Should_StayOkOnlyWithEnoughReplicas_When_WaitAnswers(long acked, long wanted, bool ok)
    {
        var done = RedisErrors.AfterWait(Write, Write.Ok(), wanted, acked, null);
        Assert.Equal(ok, done.IsOk);
        Assert.Equal(!ok, done.IsInfo);
        if (!ok) Assert.Equal($"{RedisErrors.WaitTimeout}: {acked} of {wanted} replicas", done.Error);
    }
}
