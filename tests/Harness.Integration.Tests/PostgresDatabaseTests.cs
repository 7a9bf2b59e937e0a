using Harness.Core.Histories;
using Harness.Testing;
using Harness.Databases.Postgres;

namespace Harness.Integration.Tests;

[Collection(ClusterCollection.Name)]
public sealed class PostgresDatabaseTests
{
    private static Operation Write(long key, long value) =>
        Operation.Invoke(0, "write", Datum.Map([new(Datum.Of("key"), Datum.Of(key)), new(Datum.Of("value"), Datum.Of(value))]));

    private static Operation Read(long key) =>
        Operation.Invoke(0, "read", Datum.Map([new(Datum.Of("key"), Datum.Of(key)), new(Datum.Of("value"), Datum.Nil)]));

    private static async Task<PostgresRegisterClient> OpenRegisterAsync(PostgresTestCluster pg)
    {
        var client = (PostgresRegisterClient)await PostgresRegisterClient.OpenAsync(pg.Db, pg.Run, pg.N1, CancellationToken.None);
        await client.SetupAsync(CancellationToken.None);
        return client;
    }

    [IntegrationFact("postgres", "iptables")]
    public async Task Should_ShowPrimaryWritesOnEveryReplica_When_ReplicationStreams()
    {
        // Given a primary with two streaming standbys
        var pg = await PostgresTestCluster.StartAsync();
        try
        {
            Assert.Equal(pg.N1, pg.Db.Primary);
            Assert.Equal(2L, await pg.QueryAsync(pg.N1, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"));
            await using var client = await OpenRegisterAsync(pg);

            // When a client writes on the primary
            var done = await client.InvokeAsync(Write(1, 42), CancellationToken.None);

            // Then the write is acknowledged and both replicas (read-only standbys) show it
            Assert.True(done.IsOk, done.ToString());
            Assert.Equal(pg.N1.Name, done.Node);
            foreach (var replica in new[] { pg.N2, pg.N3 })
            {
                Assert.Equal(true, await pg.QueryAsync(replica, "SELECT pg_is_in_recovery()"));
                await PostgresTestCluster.EventuallyAsync(async () => 42L.Equals(await pg.QueryAsync(replica, "SELECT val FROM registers WHERE id = 1")), $"write visible on {replica}");
            }
        }
        finally
        {
            await pg.DisposeAsync();
        }

        // And teardown leaves no namespace, bridge, rule, process or directory
        Assert.Empty(pg.Leftover!);
    }

    [IntegrationFact("postgres", "iptables")]
    public async Task Should_CatchUpAfterHeal_When_ReplicaWasPartitionedFromPrimary()
    {
        var pg = await PostgresTestCluster.StartAsync();
        try
        {
            await using var client = await OpenRegisterAsync(pg);
            // Given n2 cut off from the primary (the host still reaches everyone)
            await pg.Cluster.Network.PartitionAsync([[pg.N1, pg.N3], [pg.N2]], CancellationToken.None);
            await PostgresTestCluster.EventuallyAsync(async () => 1L.Equals(await pg.QueryAsync(pg.N1, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")), "primary loses n2");

            // When the primary takes a write, Then n3 has it but n2 does not
            Assert.True((await client.InvokeAsync(Write(2, 7), CancellationToken.None)).IsOk);
            await PostgresTestCluster.EventuallyAsync(async () => 7L.Equals(await pg.QueryAsync(pg.N3, "SELECT val FROM registers WHERE id = 2")), "write visible on n3");
            Assert.Null(await pg.QueryAsync(pg.N2, "SELECT val FROM registers WHERE id = 2"));

            // When the partition heals, Then n2 streams again and catches up
            await pg.Cluster.Network.HealAsync(CancellationToken.None);
            await PostgresTestCluster.EventuallyAsync(async () => 7L.Equals(await pg.QueryAsync(pg.N2, "SELECT val FROM registers WHERE id = 2")), "n2 catches up");
        }
        finally
        {
            await pg.DisposeAsync();
        }
        Assert.Empty(pg.Leftover!);
    }

    [IntegrationFact("postgres", "iptables")]
    public async Task Should_FailOpsWhileKilled_AndKeepData_When_PrimaryRestarts()
    {
        var pg = await PostgresTestCluster.StartAsync();
        try
        {
            await using var client = await OpenRegisterAsync(pg);
            Assert.True((await client.InvokeAsync(Write(3, 1), CancellationToken.None)).IsOk);

            // When the primary is killed (SIGKILL to the postmaster, a direct child)
            await pg.Db.KillAsync(pg.Run, pg.N1, CancellationToken.None);

            // Then a write on the broken connection is not acknowledged (Info: it was sent), and the next one
            // fails for sure (connection refused before sending)
            var lost = await client.InvokeAsync(Write(3, 2), CancellationToken.None);
            Assert.False(lost.IsOk, lost.ToString());
            var failed = await client.InvokeAsync(Write(3, 2), CancellationToken.None);
            Assert.True(failed.IsFail, failed.ToString());

            // When it is started again, Then it recovers the acknowledged write and accepts new ones
            await pg.Db.StartAsync(pg.Run, pg.N1, CancellationToken.None);
            var read = await client.InvokeAsync(Read(3), CancellationToken.None);
            Assert.Equal(Datum.Of(1), read.Value!.Get("value"));
            Assert.True((await client.InvokeAsync(Write(3, 4), CancellationToken.None)).IsOk);
        }
        finally
        {
            await pg.DisposeAsync();
        }
        Assert.Empty(pg.Leftover!);
    }

    [IntegrationFact("postgres", "iptables")]
    public async Task Should_TimeOutAsInfo_AndWorkAgain_When_PrimaryPausedAndResumed()
    {
        var pg = await PostgresTestCluster.StartAsync();
        try
        {
            await using var client = await OpenRegisterAsync(pg);
            Assert.True((await client.InvokeAsync(Write(4, 1), CancellationToken.None)).IsOk);

            // When the primary and its backends are paused (SIGSTOP)
            await pg.Db.PauseAsync(pg.Run, pg.N1, CancellationToken.None);

            // Then a write on the open connection cannot complete: its outcome is unknown (Info)
            var stuck = await client.InvokeAsync(Write(4, 2), CancellationToken.None);
            Assert.True(stuck.IsInfo, stuck.ToString());

            // When resumed, Then writes succeed again
            await pg.Db.ResumeAsync(pg.Run, pg.N1, CancellationToken.None);
            await PostgresTestCluster.EventuallyAsync(async () => (await client.InvokeAsync(Write(4, 3), CancellationToken.None)).IsOk, "write after resume");
        }
        finally
        {
            await pg.DisposeAsync();
        }
        Assert.Empty(pg.Leftover!);
    }
}
