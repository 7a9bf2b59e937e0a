using Harness.Core.Checking;
using Harness.Core.Clients;
using Harness.Core.Histories;
using Harness.Core.Running;
using Harness.Databases.Memory;
using Harness.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Harness.Core.Runs;

namespace Harness.Core.Tests.Running;

public sealed class TestRunnerTests : IDisposable
{
    private readonly string _results = Directory.CreateTempSubdirectory("harness-runner-tests-").FullName;

    public void Dispose() => Directory.Delete(_results, recursive: true);

    private static TestOptions Options(string workload, params string[] bugs) => new()
    {
        Database = "memory",
        Workload = workload,
        DatabaseOptions = System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty.Add("bug", string.Join(',', bugs)),
        Concurrency = 4,
        TimeLimit = TimeSpan.FromSeconds(1),
        Rate = 1000,
        Seed = 7,
        OpTimeout = TimeSpan.FromSeconds(2),
        NemesisInterval = TimeSpan.FromMilliseconds(100),
        RecoveryTime = TimeSpan.Zero,
        ResultsDirectory = "unused",
    };

    private async Task<(RunResult Result, FakeCluster Cluster)> RunAsync(TestSpec spec)
    {
        var cluster = new FakeCluster(3);
        var dir = new ResultStore(_results).CreateRunDirectory(spec.Name, DateTimeOffset.UtcNow);
        var result = await new TestRunner(NullLogger.Instance).RunAsync(spec, cluster, dir, CancellationToken.None);
        return (result, cluster);
    }

    [Theory]
    [InlineData("set", MemoryBugs.LostWrite)]
    [InlineData("register", MemoryBugs.StaleRead)]
    [InlineData("list-append", MemoryBugs.StaleRead)]
    public async Task Should_Catch_The_Planted_Bug_When_The_Memory_Database_Has_It(string workload, string bug)
    {
        // Given the memory database with a planted bug
        var spec = new MemorySuite().CreateTest(Options(workload, bug));

        // When
        var (result, _) = await RunAsync(spec);

        // Then the checker finds it
        Assert.Equal(Validity.Invalid, result.Check.Validity);
        Assert.Equal(1, result.ExitCode);
    }

    [Theory]
    [InlineData("set")]
    [InlineData("register")]
    [InlineData("list-append")]
    public async Task Should_Be_Valid_When_The_Memory_Database_Has_No_Bug(string workload)
    {
        // Given
        var spec = new MemorySuite().CreateTest(Options(workload));

        // When
        var (result, cluster) = await RunAsync(spec);

        // Then the verdict is valid, the history follows the rules, and everything is in the run directory
        Assert.Equal(Validity.Valid, result.Check.Validity);
        Assert.Equal(0, result.ExitCode);
        var history = HistoryJson.ReadFile(Path.Combine(result.Directory, ResultStore.HistoryFile));
        Assert.Equal(result.EventCount, history.Count);
        Assert.Empty(history.Validate());
        Assert.True(history.Count(o => o.IsInvoke) > 100);
        Assert.True(File.Exists(Path.Combine(result.Directory, ResultStore.TestFile)));
        Assert.Equal(Validity.Valid, CheckResultJson.Deserialize(File.ReadAllText(Path.Combine(result.Directory, ResultStore.ResultsFile))).Validity);
        Assert.Equal(7, ResultStore.ReadOptions(result.Directory).Seed);
        Assert.Equal(Path.GetRelativePath(_results, result.Directory), new FileInfo(Path.Combine(_results, "latest")).LinkTarget);
        Assert.Equal(1, cluster.DisposeCount);
    }

    [Fact]
    public async Task Should_Record_Every_Fault_And_Heal_Before_The_Final_Reads_When_A_Nemesis_Runs()
    {
        // Given a set test with partitions every 100 ms
        var spec = new MemorySuite().CreateTest(Options("set") with
        {
            Faults = ["partition"], PartitionShapes = ["one", "majorities-ring"], TimeLimit = TimeSpan.FromSeconds(3),
        });

        // When
        var (result, cluster) = await RunAsync(spec);

        // Then faults were injected and healed, the last nemesis op before the final reads is a heal,
        // and each fault's completion names the nodes hit
        var history = HistoryJson.ReadFile(Path.Combine(result.Directory, ResultStore.HistoryFile));
        var nemesis = history.Where(o => o.IsNemesis).ToList();
        Assert.Contains(nemesis, o => o.F == "start-partition" && o.IsInfo && o.Value?.Get("nodes") is { Count: > 0 });
        var lastNemesis = nemesis.Last();
        Assert.Equal("stop-partition", lastNemesis.F);
        var firstFinalRead = history.First(o => o.F == "read" && o.IsInvoke);
        Assert.True(firstFinalRead.Index > lastNemesis.Index);
        Assert.True(cluster.FakeNetwork.IsHealed);
        Assert.Equal(Validity.Valid, result.Check.Validity);
    }

    [Fact]
    public async Task Should_Heal_Tear_Down_And_Check_When_Cancelled()
    {
        // Given a running test with partitions
        var options = Options("set") with { Faults = ["partition"], TimeLimit = TimeSpan.FromMinutes(10) };
        var suite = new MemorySuite();
        var spec = suite.CreateTest(options);
        var db = (MemoryDatabase)spec.Database;
        var runner = new TestRunner(NullLogger.Instance);
        var cluster = new FakeCluster(3);
        var dir = new ResultStore(_results).CreateRunDirectory(spec.Name, DateTimeOffset.UtcNow);
        using var cts = new CancellationTokenSource();
        var run = runner.RunAsync(spec, cluster, dir, cts.Token);

        // When Ctrl-C arrives while a partition is active
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!(runner.Stats.Completed > 20 && !cluster.FakeNetwork.IsHealed))
            await Task.Delay(5, guard.Token);
        await cts.CancelAsync();
        var result = await run;

        // Then the network was healed, the database and the cluster torn down, and what was recorded checked
        Assert.True(result.Interrupted);
        Assert.True(cluster.FakeNetwork.IsHealed);
        Assert.Equal("heal", cluster.FakeNetwork.Calls[^1]);
        Assert.Equal(1, db.TeardownCount);
        Assert.Equal(1, cluster.DisposeCount);
        Assert.NotEqual(Validity.Valid, result.Check.Validity);
        var history = HistoryJson.ReadFile(Path.Combine(dir, ResultStore.HistoryFile));
        Assert.Empty(history.Validate());
        Assert.True(File.Exists(Path.Combine(dir, ResultStore.ResultsFile)));

        // And the heal is in the history like other nemesis ops (so the report shows the partition closed), and the
        // run directory says the heal and final phases never completed
        var heal = history.Last(o => o.IsNemesis && o.IsInvoke);
        Assert.Equal("heal", heal.F);
        Assert.Equal(OpType.Info, history.Completion(heal)?.Type);
        Assert.Null(history.Completion(heal)?.Error);
        Assert.DoesNotContain("heal", ResultStore.ReadPhasesDone(dir)!);
        Assert.DoesNotContain("final", ResultStore.ReadPhasesDone(dir)!);
    }

    [Fact]
    public async Task Should_Record_Each_Completed_Phase_When_The_Run_Finishes()
    {
        // Given a set test with partitions (main, heal, final reads)
        var spec = new MemorySuite().CreateTest(Options("set") with { Faults = ["partition"] });

        // When it runs to the end
        var (result, _) = await RunAsync(spec);

        // Then the run directory records every phase, and no extra heal was recorded
        Assert.Equal(["final", "heal", "main"], ResultStore.ReadPhasesDone(result.Directory)!.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(HistoryJson.ReadFile(Path.Combine(result.Directory, ResultStore.HistoryFile)), o => o.F == "heal");
    }

    [Fact]
    public async Task Should_Record_Info_And_Move_To_A_New_Process_When_The_Client_Throws()
    {
        // Given a client that throws on every add of a multiple of 5, with partitions
        var spec = new MemorySuite().CreateTest(Options("set") with { Faults = ["partition"] });
        var inner = spec.OpenClient;
        spec = spec with { OpenClient = async (run, node, ct) => new ThrowingClient(await inner(run, node, ct)) };

        // When
        var (result, cluster) = await RunAsync(spec);

        // Then those ops are Info, their process never invokes again, and the partition is still healed
        var history = HistoryJson.ReadFile(Path.Combine(result.Directory, ResultStore.HistoryFile));
        var infos = history.Where(o => o.IsClient && o.IsInfo).ToList();
        Assert.NotEmpty(infos);
        Assert.All(infos, o => Assert.Contains("client threw", o.Error, StringComparison.Ordinal));
        Assert.Empty(history.Validate());
        Assert.True(history.Where(o => o.IsInvoke && o.IsClient).Max(o => o.Process) >= 4);
        Assert.Equal("stop-partition", history.Last(o => o.IsNemesis).F);
        Assert.True(cluster.FakeNetwork.IsHealed);
        Assert.Equal(Validity.Valid, result.Check.Validity);
    }

    [Fact]
    public async Task Should_Complete_As_Info_When_An_Op_Times_Out()
    {
        // Given a client that hangs, ignoring cancellation, on adds of multiples of 50
        var spec = new MemorySuite().CreateTest(Options("set") with { OpTimeout = TimeSpan.FromMilliseconds(200) });
        var inner = spec.OpenClient;
        spec = spec with { OpenClient = async (run, node, ct) => new HangingClient(await inner(run, node, ct)) };

        // When
        var (result, _) = await RunAsync(spec);

        // Then the hung ops completed as Info "timeout" and the run finished and was checked
        var history = HistoryJson.ReadFile(Path.Combine(result.Directory, ResultStore.HistoryFile));
        Assert.Contains(history, o => o.IsInfo && o.Error == "timeout");
        Assert.Empty(history.Validate());
        Assert.Equal(Validity.Valid, result.Check.Validity);
    }

    [Fact]
    public async Task Should_Tear_Down_And_Report_A_Crash_When_Database_Setup_Fails()
    {
        // Given a database whose setup throws
        var spec = new MemorySuite().CreateTest(Options("set"));
        spec = spec with { Database = new FailingDatabase() };

        // When
        var (result, cluster) = await RunAsync(spec);

        // Then the run is a crash (exit 255) with an Unknown verdict, and the cluster is still disposed
        Assert.NotNull(result.Crash);
        Assert.Equal(255, result.ExitCode);
        Assert.Equal(Validity.Unknown, result.Check.Validity);
        Assert.Equal(1, cluster.DisposeCount);
        Assert.Equal(1, ((FailingDatabase)spec.Database).Teardowns);
    }

    [Fact]
    public async Task Should_Dispose_The_Cluster_When_The_Run_Fails_Before_Its_Setup_Starts()
    {
        // Given a provisioned cluster and a run directory that cannot be made (a file is in its place), so the run
        // fails before the database's setup and before its own cleanup has taken the cluster over
        var spec = new MemorySuite().CreateTest(Options("set"));
        var cluster = new FakeCluster(3);
        var blocked = Path.Combine(_results, "not-a-directory");
        await File.WriteAllTextAsync(blocked, "");

        // When
        var e = await Record.ExceptionAsync(() => new TestRunner(NullLogger.Instance).RunAsync(spec, cluster, Path.Combine(blocked, "run"), CancellationToken.None));

        // Then the failure is reported and the cluster is still disposed, once
        Assert.IsAssignableFrom<IOException>(e);
        Assert.Equal(1, cluster.DisposeCount);
        Assert.False(Directory.Exists(cluster.RunDirectory));
    }

    [Fact]
    public async Task Should_Tear_Down_And_Dispose_The_Cluster_When_Interrupted_Right_After_Provisioning()
    {
        // Given an interrupt right after provisioning (the token is already cancelled), which the database's setup obeys
        var spec = new MemorySuite().CreateTest(Options("set"));
        spec = spec with { Database = new CancellableDatabase() };
        var cluster = new FakeCluster(3);
        var dir = new ResultStore(_results).CreateRunDirectory(spec.Name, DateTimeOffset.UtcNow);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        // When
        var result = await new TestRunner(NullLogger.Instance).RunAsync(spec, cluster, dir, cts.Token);

        // Then it is an interrupted run (unknown, exit 2), the database was torn down and the cluster disposed once
        Assert.True(result.Interrupted);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(Validity.Unknown, result.Check.Validity);
        Assert.Null(result.Crash);
        Assert.Equal(1, ((CancellableDatabase)spec.Database).Teardowns);
        Assert.Equal(1, cluster.DisposeCount);
    }

    [Fact]
    public void Should_Be_Unknown_When_No_Client_Operation_Was_Recorded()
    {
        // Given a set test whose history holds no client operation
        var spec = new MemorySuite().CreateTest(Options("set"));

        // When its history is checked
        var result = TestRunner.CheckHistory(spec.Name, spec.Workload.Checker, History.Empty, interrupted: false, crash: null, CancellationToken.None);

        // Then it is not valid, and says why
        Assert.Equal(Validity.Unknown, result.Validity);
        Assert.Contains(result.Children, c => c.Summary.Contains("no client operations were recorded", StringComparison.Ordinal));
    }

    private sealed class ThrowingClient(IClient inner) : IClient
    {
        public Task SetupAsync(CancellationToken ct) => inner.SetupAsync(ct);
        public Task TeardownAsync(CancellationToken ct) => inner.TeardownAsync(ct);
        public ValueTask DisposeAsync() => inner.DisposeAsync();

        public Task<Operation> InvokeAsync(Operation op, CancellationToken ct) =>
            op.F == "add" && op.Value!.AsLong() % 5 == 0 ? throw new InvalidOperationException("boom") : inner.InvokeAsync(op, ct);
    }

    private sealed class HangingClient(IClient inner) : IClient
    {
        public Task SetupAsync(CancellationToken ct) => inner.SetupAsync(ct);
        public Task TeardownAsync(CancellationToken ct) => inner.TeardownAsync(ct);
        public ValueTask DisposeAsync() => inner.DisposeAsync();

        public async Task<Operation> InvokeAsync(Operation op, CancellationToken ct)
        {
            if (op.F == "add" && op.Value!.AsLong() % 50 == 0) await Task.Delay(TimeSpan.FromSeconds(30), CancellationToken.None);
            return await inner.InvokeAsync(op, ct);
        }
    }

    [Fact]
    public async Task Should_Sample_Replication_Status_Into_Lag_Jsonl_And_Results_When_The_Database_Reports_It()
    {
        // Given the memory database wrapped in one that reports two replicas, and fails every third ask
        var spec = new MemorySuite().CreateTest(Options("set"));
        var reporting = new ReportingDatabase(spec.Database);
        spec = spec with { Database = reporting };

        // When the run runs (1 s main phase)
        var cluster = new FakeCluster(3);
        var dir = new ResultStore(_results).CreateRunDirectory(spec.Name, DateTimeOffset.UtcNow);
        var result = await new TestRunner(NullLogger.Instance) { ReplicationStatusInterval = TimeSpan.FromMilliseconds(50) }
            .RunAsync(spec, cluster, dir, CancellationToken.None);

        // Then lag.jsonl holds the answers on the history's clock, within the main phase, the failed asks are
        // skipped, results.json has the informational replication-status result, and the verdict is unchanged
        Assert.Equal(Validity.Valid, result.Check.Validity);
        var lag = LagLog.ReadRun(result.Directory)!;
        Assert.Empty(lag.Warnings);
        Assert.True(lag.Samples.Length >= 10, $"{lag.Samples.Length} samples");
        Assert.Equal(["n2", "n3"], lag.Samples.Select(s => s.Node).Distinct().Order());
        var history = HistoryJson.ReadFile(Path.Combine(result.Directory, ResultStore.HistoryFile));
        var clientTimes = history.ClientOps.Select(o => o.TimeNanos).ToList();
        Assert.All(lag.Samples, s => Assert.InRange(s.TimeNanos, clientTimes.Min() - 200_000_000, clientTimes.Max() + 200_000_000));
        var status = result.Check.Children.Single(c => c.Checker == ReplicationSummary.Checker);
        Assert.Equal(Validity.Valid, status.Validity);
        Assert.True(status.Stats!["failed_samples"]!.GetValue<int>() >= 2);
        Assert.Equal(lag.Samples.Length, status.Stats!["samples"]!.GetValue<int>());
        Assert.Contains(ReplicationSummary.Checker, File.ReadAllText(Path.Combine(result.Directory, ResultStore.ResultsFile)), StringComparison.Ordinal);
        var asksAfterRun = reporting.Asks;
        await Task.Delay(200);
        Assert.Equal(asksAfterRun, reporting.Asks); // sampling ended with the run
    }

    [Fact]
    public async Task Should_Write_No_Lag_File_When_The_Database_Reports_No_Replication_Status()
    {
        // Given the memory database (no IHasReplicationStatus)
        var spec = new MemorySuite().CreateTest(Options("set"));

        // When it runs
        var (result, _) = await RunAsync(spec);

        // Then there is no lag.jsonl and no replication-status result
        Assert.False(File.Exists(Path.Combine(result.Directory, LagLog.FileName)));
        Assert.DoesNotContain(result.Check.Children, c => c.Checker == ReplicationSummary.Checker);
    }

    private sealed class ReportingDatabase(Core.Databases.IDatabase inner) : Core.Databases.IDatabase, Core.Databases.IHasReplicationStatus
    {
        private int _asks;

        public int Asks => Volatile.Read(ref _asks);

        public Task SetupAsync(RunContext run, CancellationToken ct) => inner.SetupAsync(run, ct);

        public Task TeardownAsync(RunContext run, CancellationToken ct) => inner.TeardownAsync(run, ct);

        public Task<IReadOnlyList<Core.Databases.ReplicaStatus>> ReplicationStatusAsync(RunContext run, CancellationToken ct)
        {
            if (Interlocked.Increment(ref _asks) % 3 == 0) throw new InvalidOperationException("the primary does not answer");
            return Task.FromResult<IReadOnlyList<Core.Databases.ReplicaStatus>>(
                [new(run.Nodes[1], run.Nodes[0], "streaming", ReplayLagMs: 1), new(run.Nodes[2], run.Nodes[0], "streaming", BytesBehind: 8)]);
        }
    }

    private sealed class FailingDatabase : Core.Databases.IDatabase
    {
        public int Teardowns { get; private set; }

        public Task SetupAsync(RunContext run, CancellationToken ct) => throw new InvalidOperationException("cannot start");

        public Task TeardownAsync(RunContext run, CancellationToken ct)
        {
            Teardowns++;
            return Task.CompletedTask;
        }
    }

    private sealed class CancellableDatabase : Core.Databases.IDatabase
    {
        public int Teardowns { get; private set; }

        public Task SetupAsync(RunContext run, CancellationToken ct) => Task.Delay(Timeout.InfiniteTimeSpan, ct);

        public Task TeardownAsync(RunContext run, CancellationToken ct)
        {
            Teardowns++;
            return Task.CompletedTask;
        }
    }
}
