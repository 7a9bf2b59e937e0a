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
