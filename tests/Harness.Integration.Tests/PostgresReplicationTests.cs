using Harness.Core.Histories;
using Harness.Databases.Postgres;
using Harness.Testing;

namespace Harness.Integration.Tests;

[Collection(ClusterCollection.Name)]
public sealed class PostgresReplicationTests
{
    private static Operation Write(long key, long value) =>
        Operation.Invoke(0, "write", Datum.Map([new(Datum.Of("key"), Datum.Of(key)), new(Datum.Of("value"), Datum.Of(value))]));

    [IntegrationFact("postgres", "iptables")]
    public async Task Should_CompleteAsInfo_When_SyncReplicationWaitIsCancelled()
    {
        // Given synchronous replication to both standbys and a 1 s client timeout
        var pg = await PostgresTestCluster.StartAsync(PostgresTestCluster.Options(("replication", "sync"), ("sync-replicas", "2")) with { OpTimeout = TimeSpan.FromSeconds(1) });
        try
        {
            await using var client = (PostgresRegisterClient)await PostgresRegisterClient.OpenAsync(pg.Db, pg.Run, pg.N1, CancellationToken.None);
            await client.SetupAsync(CancellationToken.None);
            Assert.True((await client.InvokeAsync(Write(1, 1), CancellationToken.None)).IsOk);

            // When the primary is cut off from both standbys and a write waits for them until the client gives up
            await pg.Cluster.Network.PartitionAsync([[pg.N1], [pg.N2, pg.N3]], CancellationToken.None);
            var done = await client.InvokeAsync(Write(1, 2), CancellationToken.None);

            // Then the commit (which the server reports as a success with a WARNING) is not taken as acknowledged
            Assert.True(done.IsInfo, done.ToString());
            Assert.Equal(PostgresErrors.SyncRepCancelled, done.Error);
            // and it did commit locally: the primary shows it although no standby has it
            Assert.Equal(2L, await pg.QueryAsync(pg.N1, "SELECT val FROM registers WHERE id = 1"));
            Assert.Equal(1L, await pg.QueryAsync(pg.N2, "SELECT val FROM registers WHERE id = 1"));
            await pg.Cluster.Network.HealAsync(CancellationToken.None);
        }
        finally
        {
            await pg.DisposeAsync();
        }
        Assert.Empty(pg.Leftover!);
    }

    [IntegrationFact("postgres", "iptables")]
    public async Task Should_PromoteTheMostAdvancedReplica_AndRecordIt_When_PrimaryIsKilled()
    {
        // Given async replication with the failover manager on
        var pg = await PostgresTestCluster.StartAsync(PostgresTestCluster.Options(("failover", "promote")));
        try
        {
            await using var client = (PostgresRegisterClient)await PostgresRegisterClient.OpenAsync(pg.Db, pg.Run, pg.N2, CancellationToken.None);
            await client.SetupAsync(CancellationToken.None);
            Assert.True((await client.InvokeAsync(Write(1, 1), CancellationToken.None)).IsOk);

            // When the primary is killed
            await pg.Db.KillAsync(pg.Run, pg.N1, CancellationToken.None);

            // Then a replica is promoted, the promotion is in the history, and writes go to the new primary
            await PostgresTestCluster.EventuallyAsync(() => Task.FromResult(pg.Db.Primary != pg.N1), "a replica is promoted");
            var promoted = pg.Db.Primary!;
            Assert.Equal(false, await pg.QueryAsync(promoted, "SELECT pg_is_in_recovery()"));
            var promote = pg.Run.Recorder.ToHistory().NemesisOps.Where(o => o.IsNemesis && o.F == "promote" && o.IsInfo).ToList();
            Assert.Single(promote);
            Assert.Equal(Datum.Of(promoted.Name), promote[0].Value!.Get("to"));
            Assert.Equal(Datum.Of("n1"), promote[0].Value!.Get("from"));
            await PostgresTestCluster.EventuallyAsync(async () => (await client.InvokeAsync(Write(1, 5), CancellationToken.None)).IsOk, "write on the new primary");

            // And the other replica follows the new primary
            var other = promoted == pg.N2 ? pg.N3 : pg.N2;
            await PostgresTestCluster.EventuallyAsync(async () => 5L.Equals(await pg.QueryAsync(other, "SELECT val FROM registers WHERE id = 1")), "the other replica follows");

            // When the old primary starts again, Then it comes back as a standby of the new primary
            await pg.Db.StartAsync(pg.Run, pg.N1, CancellationToken.None);
            Assert.Equal(true, await pg.QueryAsync(pg.N1, "SELECT pg_is_in_recovery()"));
            await PostgresTestCluster.EventuallyAsync(async () => 5L.Equals(await pg.QueryAsync(pg.N1, "SELECT val FROM registers WHERE id = 1")), "the old primary follows");
        }
        finally
        {
            await pg.DisposeAsync();
        }
        Assert.Empty(pg.Leftover!);
    }
}
