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
}
