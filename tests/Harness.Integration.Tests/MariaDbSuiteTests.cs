using System.Collections.Immutable;
using Harness.Core;
using Harness.Core.Checking;
using Harness.Core.Databases;
using Harness.Core.Histories;
using Harness.Core.Running;
using Harness.Core.Runs;
using Harness.Databases.MySql;
using Harness.Workloads;

namespace Harness.Integration.Tests;

/// <summary>Pure tests of the MariaDB suite's refused combinations and of the convergence checker (no cluster needed).</summary>
public sealed class MariaDbSuiteTests
{
    private static TestOptions Options(int nodes, params (string Name, string Value)[] db) => new()
    {
        Database = "mysql",
        NodeCount = nodes,
        DatabaseOptions = db.ToImmutableSortedDictionary(o => o.Name, o => o.Value, StringComparer.Ordinal),
    };

    [Theory]
    [InlineData(3, "fencing", "true", "add --failover promote")]
    [InlineData(1, "failover", "promote", "--failover promote needs --nodes 2")]
    [InlineData(3, "wsrep-sync-wait", "1", "add --topology galera")]
    [InlineData(3, "semi-sync-timeout", "500", "need --replication semi-sync")]
    [InlineData(1, "topology", "multi-primary", "--topology multi-primary needs --nodes 2")]
    public void Should_RefuseWithOneLine_When_OptionsDoNotFit(int nodes, string option, string value, string message)
    {
        var e = Assert.Throws<UserErrorException>(() => SuiteOptions.Resolve(new MySqlSuite(), Options(nodes, (option, value))));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("primary-replica", "lag-ms", "1500", "counts whole seconds")]
    [InlineData("galera", "lag-ms", "1000", "galera has none")]
    public void Should_RefuseWithOneLine_When_TheLagDoesNotFit(string topology, string option, string value, string message)
    {
        // Given a delay MASTER_DELAY cannot express, or a topology without a replica SQL thread
        var options = Options(3, ("topology", topology), (option, value));

        // When the options are resolved, Then one line says why
        var e = Assert.Throws<UserErrorException>(() => SuiteOptions.Resolve(new MySqlSuite(), options));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Should_RefuseTheLagFault_When_TheTopologyIsGalera()
    {
        // Given galera with --nemesis lag (flow control keeps its nodes together: there is no replica to hold)
        var options = Options(3, ("topology", "galera")) with { Faults = ["lag"] };

        // Then one line refuses it
        var e = Assert.Throws<UserErrorException>(() => SuiteOptions.Resolve(new MySqlSuite(), options));
        Assert.Contains("galera has none", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("replica", "async", "auto", 1000)]
    [InlineData("any", "async", "auto", 1000)]
    [InlineData("primary", "async", "auto", 0)]
    [InlineData("replica", "semi-sync", "auto", 0)]
    [InlineData("replica", "async", "0", 0)]
    [InlineData("primary", "async", "3000", 3000)]
    public void Should_ChooseTheSteadyDelay_When_LagMsIsAutoOrGiven(string readFrom, string replication, string lagMs, int expected)
    {
        // Given where reads go, how replicas replicate and --lag-ms
        var options = SuiteOptions.Resolve(new MySqlSuite(), Options(3, ("read-from", readFrom), ("replication", replication), ("lag-ms", lagMs)));

        // Then auto is MASTER_DELAY's smallest step (1 s) only when reads go to asynchronous replicas
        Assert.Equal(expected, MySqlSuite.LagOf(options));
        Assert.Equal(expected, MySqlSettings.From(options).LagMs);
    }

    [Fact]
    public void Should_HoldTheWholeConnection_When_TheLagFaultIsCombinedWithAnother()
    {
        // Given the lag fault alone, and with kill-primary
        var alone = MySqlSettings.From(SuiteOptions.Resolve(new MySqlSuite(), Options(3) with { Faults = ["lag"] }));
        var combined = MySqlSettings.From(SuiteOptions.Resolve(new MySqlSuite(), Options(3) with { Faults = ["lag", "kill-primary"] }));

        // Then alone it holds the SQL thread only (readers go stale), combined the IO thread too (nothing received)
        Assert.False(alone.LagHoldsReceiving);
        Assert.True(combined.LagHoldsReceiving);
    }

    /// <summary>MariaDB's documentation of each level: https://mariadb.com/kb/en/set-transaction/ (SERIALIZABLE is
    /// REPEATABLE READ with every plain SELECT locking; REPEATABLE READ reads one snapshot, but writes and locking reads
    /// act on the latest version), https://mariadb.com/kb/en/innodb-system-variables/#innodb_snapshot_isolation (ON: a
    /// write to a record changed since the snapshot fails, error 1020; OFF is 10.11's default) and
    /// https://mariadb.com/kb/en/mariadb-galera-cluster-known-limitations/ (Galera: "between Serializable and
    /// Repeatable Read" across nodes).</summary>
    [Theory]
    [InlineData("serializable", "default", "primary-replica", "serializable")]
    [InlineData("repeatable-read", "on", "primary-replica", "snapshot-isolation")]
    [InlineData("repeatable-read", "off", "primary-replica", "read-committed")]
    [InlineData("repeatable-read", "default", "primary-replica", "read-committed")]
    [InlineData("read-committed", "default", "primary-replica", "read-committed")]
    [InlineData("read-uncommitted", "default", "primary-replica", "read-uncommitted")]
    [InlineData("serializable", "default", "galera", "snapshot-isolation")]
    public void Should_CheckEachLevelAgainstItsDocumentedPromise_When_ListAppendRuns(string isolation, string snapshot, string topology, string model)
    {
        // Given an isolation level, innodb_snapshot_isolation and a topology
        var options = SuiteOptions.Resolve(new MySqlSuite(), Options(3, ("isolation", isolation), ("innodb-snapshot-isolation", snapshot), ("topology", topology)));
        var settings = MySqlSettings.From(options);

        // Then the model the history is checked against is the one MariaDB documents
        Assert.Equal(model, MySqlSuite.Promise(settings.Isolation, settings.SnapshotIsolation, settings.Topology));
    }

    [Fact]
    public void Should_BuildASemiSyncTest_When_OptionsFit()
    {
        var options = SuiteOptions.Resolve(new MySqlSuite(), Options(3, ("replication", "semi-sync"), ("semi-sync-timeout", "500"), ("failover", "promote")) with { Workload = "set" });
        var spec = new MySqlSuite().CreateTest(options);
        Assert.Equal("mysql-set-semi-sync-promote", spec.Name);
        Assert.Contains("mariadb-server", spec.Packages);
    }

    private static History States(params (string Node, Datum State)[] states)
    {
        var ops = new List<Operation>();
        foreach (var (node, state) in states)
        {
            var invoke = Operation.Invoke(Operation.NemesisProcess, IHasNodeStates.F, Datum.Map([new(Datum.Of("node"), Datum.Of(node))])) with { Index = ops.Count };
            ops.Add(invoke);
            ops.Add(invoke.Ok(Datum.Map([new(Datum.Of("node"), Datum.Of(node)), new(Datum.Of("state"), state)])) with { Index = ops.Count });
        }
        return new History(ops);
    }

    private static Datum Table(params (string Key, string Value)[] rows) =>
        Datum.Map([new(Datum.Of("registers"), Datum.Map(rows.Select(r => new KeyValuePair<Datum, Datum>(Datum.Of(r.Key), Datum.Of(r.Value)))))]);

    [Fact]
    public void Should_BeValid_When_EveryNodeHoldsTheSameState()
    {
        var result = new ConvergenceChecker().Check(States(("n1", Table(("1", "5"))), ("n2", Table(("1", "5")))), CancellationToken.None);
        Assert.Equal(Validity.Valid, result.Validity);
    }

    [Fact]
    public void Should_NameTheDifferingRowsPerNode_When_NodesDiverge()
    {
        var result = new ConvergenceChecker().Check(States(("n1", Table(("1", "5"), ("2", "7"))), ("n2", Table(("1", "6"), ("2", "7"))), ("n3", Table(("2", "7")))), CancellationToken.None);
        Assert.Equal(Validity.Invalid, result.Validity);
        var anomaly = Assert.Single(result.Anomalies);
        Assert.Equal(ConvergenceChecker.Divergence, anomaly.Type);
        Assert.Contains("registers/1: n1=5, n2=6, n3=absent", anomaly.Explanation, StringComparison.Ordinal);
        Assert.DoesNotContain("registers/2", anomaly.Explanation, StringComparison.Ordinal);
    }
}
