using Harness.Core.Histories;
using Harness.Databases.Postgres;
using Npgsql;

namespace Harness.Integration.Tests;

/// <summary>Pure tests of the Fail/Info mapping (no cluster needed).</summary>
public sealed class PostgresErrorsTests
{
    private static readonly Operation Op = Operation.Invoke(0, "write", Datum.Of(1));

    private static PostgresException Server(string sqlState, string severity = "ERROR") => new("boom", severity, severity, sqlState);

    private static OpProgress Sent(bool committing = false) => new() { Sent = true, Committing = committing };

    [Fact]
    public void Should_Fail_When_NothingWasSent()
    {
        // Given a connection refused while opening, When mapped, Then the write certainly did not happen
        var done = PostgresErrors.Complete(Op, new NpgsqlException("Failed to connect", new System.Net.Sockets.SocketException(111)), OpKind.Write, new OpProgress());
        Assert.True(done.IsFail);
    }

    [Fact]
    public void Should_BeInfo_When_AWriteTimesOutAfterSending()
    {
        var done = PostgresErrors.Complete(Op, new NpgsqlException("Exception while reading from stream", new TimeoutException()), OpKind.Write, Sent());
        Assert.True(done.IsInfo);
        Assert.Equal("timeout", done.Error);
    }

    [Theory]
    [InlineData(PostgresErrorCodes.SerializationFailure, "serialization-failure")]
    [InlineData(PostgresErrorCodes.DeadlockDetected, "deadlock")]
    [InlineData(PostgresErrorCodes.UniqueViolation, "unique-violation")]
    public void Should_Fail_When_TheServerAbortedTheCommit(string sqlState, string error)
    {
        // Given a transaction whose COMMIT the server rejected with a definite error
        var done = PostgresErrors.Complete(Op, Server(sqlState), OpKind.Transaction, Sent(committing: true));
        Assert.True(done.IsFail);
        Assert.Equal(error, done.Error);
    }

    [Fact]
    public void Should_BeInfo_When_TheConnectionIsLostDuringCommit()
    {
        var done = PostgresErrors.Complete(Op, new NpgsqlException("Exception while reading from stream", new IOException("reset")), OpKind.Transaction, Sent(committing: true));
        Assert.True(done.IsInfo);
    }

    [Fact]
    public void Should_Fail_When_TheConnectionIsLostBeforeCommit()
    {
        // The server rolls back a transaction whose connection dies before COMMIT was sent
        var done = PostgresErrors.Complete(Op, new NpgsqlException("Exception while reading from stream", new IOException("reset")), OpKind.Transaction, Sent());
        Assert.True(done.IsFail);
    }

    [Fact]
    public void Should_BeInfo_When_TheServerShutsDownDuringAWrite()
    {
        var done = PostgresErrors.Complete(Op, Server(PostgresErrorCodes.AdminShutdown, "FATAL"), OpKind.Write, Sent());
        Assert.True(done.IsInfo);
    }

    [Fact]
    public void Should_Fail_When_AReadErrs()
    {
        var done = PostgresErrors.Complete(Op, new NpgsqlException("Exception while reading from stream", new TimeoutException()), OpKind.Read, Sent());
        Assert.True(done.IsFail);
    }
}
