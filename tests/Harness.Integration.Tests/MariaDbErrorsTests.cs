using Harness.Core.Histories;
using Harness.Databases.MySql;

namespace Harness.Integration.Tests;

/// <summary>Pure tests of the MariaDB Fail/Info mapping (no cluster needed); docs/mysql.md lists the cases.</summary>
public sealed class MariaDbErrorsTests
{
    private static readonly Operation Op = Operation.Invoke(0, "write", Datum.Of(1));

    private static OpProgress Sent(bool committing = false) => new() { Sent = true, Committing = committing };

    [Fact]
    public void Should_Fail_When_NothingWasSent()
    {
        var done = MySqlErrors.Complete(Op, new TimeoutException("connect timeout"), OpKind.Write, new OpProgress());
        Assert.True(done.IsFail);
    }

    [Theory]
    [InlineData(MySqlErrors.ErLockDeadlock, "deadlock")]              // also Galera's certification failure
    [InlineData(MySqlErrors.ErLockWaitTimeout, "lock-wait-timeout")]  // innodb_rollback_on_timeout = ON
    [InlineData(MySqlErrors.ErCheckRead, "record-changed")]           // innodb_snapshot_isolation
    [InlineData(MySqlErrors.ErUnknownComError, "wsrep-not-ready")]    // Galera node not in the primary component
    [InlineData(MySqlErrors.ErDupEntry, "duplicate-key")]
    public void Should_Fail_When_TheServerRolledTheCommitBack(int code, string error)
    {
        // Given a transaction whose COMMIT the server rejected with an error that rolls it back
        var done = MySqlErrors.Complete(Op, code, error, OpKind.Transaction, Sent(committing: true));
        Assert.True(done.IsFail);
        Assert.Equal(error, done.Error);
    }

    [Theory]
    [InlineData(MySqlErrors.ErQueryInterrupted)]
    [InlineData(MySqlErrors.ErServerShutdown)]
    [InlineData(MySqlErrors.ErConnectionKilled)]
    [InlineData(MySqlErrors.ErErrorDuringCommit)]
    public void Should_BeInfo_When_TheServerGaveUpDuringCommit(int code)
    {
        var done = MySqlErrors.Complete(Op, code, "x", OpKind.Transaction, Sent(committing: true));
        Assert.True(done.IsInfo);
    }

    [Fact]
    public void Should_Fail_When_AnAutocommitStatementIsRejected()
    {
        // a plain server error (here: unknown column) aborts the statement, so nothing was written
        var done = MySqlErrors.Complete(Op, 1054, "mysql-1054", OpKind.Write, Sent());
        Assert.True(done.IsFail);
    }

    [Fact]
    public void Should_BeInfo_When_TheConnectionIsLostDuringCommit()
    {
        var done = MySqlErrors.Complete(Op, new IOException("reset"), OpKind.Transaction, Sent(committing: true));
        Assert.True(done.IsInfo);
        Assert.Equal("connection-lost", done.Error);
    }

    [Fact]
    public void Should_Fail_When_TheConnectionIsLostBeforeCommit()
    {
        // MariaDB rolls back a transaction whose connection ends before COMMIT
        var done = MySqlErrors.Complete(Op, new IOException("reset"), OpKind.Transaction, Sent());
        Assert.True(done.IsFail);
    }

    [Fact]
    public void Should_BeInfo_When_AWriteTimesOut()
    {
        var done = MySqlErrors.Complete(Op, new OperationCanceledException(), OpKind.Write, Sent());
        Assert.True(done.IsInfo);
        Assert.Equal("timeout", done.Error);
    }

    [Fact]
    public void Should_Fail_When_AReadErrs()
    {
        var done = MySqlErrors.Complete(Op, new TimeoutException(), OpKind.Read, Sent());
        Assert.True(done.IsFail);
    }

    [Theory]
    [InlineData("10.77.3.0/24", "10.77.3.0/255.255.255.0")]
    [InlineData("10.0.0.0/8", "10.0.0.0/255.0.0.0")]
    public void Should_WriteMariaDbHostPatterns_When_GivenAClientNetwork(string cidr, string pattern) =>
        Assert.Equal(pattern, MySqlDatabase.HostPattern(cidr));

    [Theory]
    [InlineData("0-1-42", 42)]
    [InlineData("1-3-7,0-2-9", 9)]
    [InlineData("", -1)]
    public void Should_ReadTheDomainZeroSequence_When_ComparingReplicas(string position, long seq) =>
        Assert.Equal(seq, MySqlDatabase.GtidSequence(position));
}
