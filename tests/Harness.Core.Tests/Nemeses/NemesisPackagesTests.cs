using Harness.Core.Databases;
using Harness.Core.Generators;
using Harness.Core.Histories;
using Harness.Core.Nemeses;
using Harness.Databases.Memory;
using Harness.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Harness.Core.Runs;

namespace Harness.Core.Tests.Nemeses;

public sealed class NemesisPackagesTests
{
    private static TestOptions Options(params string[] faults) => new()
    {
        Database = "memory",
        Faults = [.. faults],
        NemesisInterval = TimeSpan.FromSeconds(1),
        Seed = 3,
    };

    [Theory]
    [InlineData("kill", "cannot be killed")]
    [InlineData("pause", "cannot be paused")]
    [InlineData("kill-primary", "has no primary")]
    [InlineData("lag", "has no replication to hold back")]
    public void Should_Refuse_A_Fault_When_The_Database_Lacks_The_Ability(string fault, string message)
    {
        // Given a database with no optional abilities
        var db = new PlainDatabase();

        // When
        var e = Assert.Throws<UserErrorException>(() => NemesisPackages.Create(Options(fault), db));

        // Then the message says what to drop
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Contains("--nemesis", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_Refuse_The_Primaries_Shape_When_The_Database_Has_No_Primary()
    {
        // Given / When / Then
        Assert.Throws<UserErrorException>(() =>
            NemesisPackages.Create(Options("partition") with { PartitionShapes = ["primaries"] }, new PlainDatabase()));
    }

    [Fact]
    public void Should_Alternate_Each_Fault_With_Its_Heal_When_Scheduled()
    {
        // Given every fault the memory database has (it has no replication to lag), one second apart
        var package = NemesisPackages.Create(Options([.. FaultKinds.Names.Where(f => f != NemesisPackages.Lag)]), new MemoryDatabase(Options()));

        // When the schedule runs for 60 virtual seconds
        var h = new GenSimulator { Concurrency = 1, Seed = 9 }.Run(Gen.OnNemesis(Gen.TimeLimit(TimeSpan.FromSeconds(60), package.Generator)));
        var invokes = h.Where(o => o.IsInvoke).ToList();

        // Then faults and heals alternate, each heal matches its fault, at least a second apart
        var heals = new Dictionary<string, string>
        {
            ["start-partition"] = "stop-partition", ["kill"] = "start", ["kill-primary"] = "start",
            ["pause"] = "resume", ["start-loss"] = "stop-loss",
        };
        Assert.True(invokes.Count >= 20);
        for (var i = 0; i + 1 < invokes.Count; i += 2)
        {
            Assert.Equal(heals[invokes[i].F], invokes[i + 1].F);
            Assert.True(invokes[i + 1].TimeNanos - invokes[i].TimeNanos >= 1_000_000_000);
        }
        Assert.Equal(heals.Keys.Order(), invokes.Where((_, i) => i % 2 == 0).Select(o => o.F).Distinct().Order());
    }

    [Fact]
    public void Should_InjectEveryFaultKind_When_ThereHaveBeenAsManyFaultsAsKinds()
    {
        // Given three kinds of fault
        var package = NemesisPackages.Create(Options("pause", "partition", "kill"), new MemoryDatabase(Options()));

        // When the schedule runs
        var faults = new GenSimulator { Concurrency = 1, Seed = 9 }.Run(Gen.OnNemesis(Gen.TimeLimit(TimeSpan.FromSeconds(40), package.Generator)))
            .Where(o => o.IsInvoke && o.F is "start-partition" or "kill" or "pause").Select(o => o.F).ToList();

        // Then they come in turn: any three faults in a row are one of each kind (so a short run tests them all)
        Assert.True(faults.Count >= 6, string.Join(' ', faults));
        for (var i = 0; i + 3 <= faults.Count; i++)
            Assert.Equal(3, faults.Skip(i).Take(3).Distinct().Count());
    }

    [Fact]
    public void Should_Hold_Replication_Back_Around_Every_Other_Fault_When_Lag_Is_Combined()
    {
        // Given lag with kill-primary
        var package = NemesisPackages.Create(Options("lag", "kill-primary"), new LaggingDatabase());

        // When the schedule runs
        var h = new GenSimulator { Concurrency = 1, Seed = 9 }.Run(Gen.OnNemesis(Gen.TimeLimit(TimeSpan.FromSeconds(30), package.Generator)));
        var fs = h.Where(o => o.IsInvoke).Select(o => o.F).ToList();

        // Then every kill happens inside a lag window: start-lag, kill-primary, start, stop-lag, ...
        Assert.True(fs.Count >= 8);
        for (var i = 0; i + 3 < fs.Count; i += 4)
            Assert.Equal(["start-lag", "kill-primary", "start", "stop-lag"], fs.Skip(i).Take(4));
        Assert.Contains(package.Final is null ? [] : new GenSimulator { Concurrency = 1 }.Run(Gen.OnNemesis(package.Final)).Select(o => o.F), f => f == "stop-lag");
    }

    [Fact]
    public void Should_Alternate_Lag_With_Catching_Up_When_Lag_Is_Alone()
    {
        var package = NemesisPackages.Create(Options("lag"), new LaggingDatabase());
        var fs = new GenSimulator { Concurrency = 1, Seed = 9 }.Run(Gen.OnNemesis(Gen.TimeLimit(TimeSpan.FromSeconds(20), package.Generator)))
            .Where(o => o.IsInvoke).Select(o => o.F).ToList();
        Assert.True(fs.Count >= 4);
        Assert.All(fs.Where((_, i) => i % 2 == 0), f => Assert.Equal("start-lag", f));
        Assert.All(fs.Where((_, i) => i % 2 == 1), f => Assert.Equal("stop-lag", f));
    }

    /// <summary>A replicated database with a primary, killable, whose replication can lag (no behaviour: schedules only).</summary>
    private sealed class LaggingDatabase : IDatabase, IKillable, IHasPrimary, IHasReplicationLag
    {
        public Task SetupAsync(RunContext run, CancellationToken ct) => Task.CompletedTask;
        public Task TeardownAsync(RunContext run, CancellationToken ct) => Task.CompletedTask;
        public Task KillAsync(RunContext run, Harness.Core.Control.Node node, CancellationToken ct) => Task.CompletedTask;
        public Task StartAsync(RunContext run, Harness.Core.Control.Node node, CancellationToken ct) => Task.CompletedTask;
        public Task<Harness.Core.Control.Node?> PrimaryAsync(RunContext run, CancellationToken ct) => Task.FromResult<Harness.Core.Control.Node?>(run.Nodes[0]);
        public Task<IReadOnlyList<Harness.Core.Control.Node>> ReplicasAsync(RunContext run, CancellationToken ct) => Task.FromResult<IReadOnlyList<Harness.Core.Control.Node>>([.. run.Nodes.Skip(1)]);
        public Task HoldAsync(RunContext run, IReadOnlyList<Harness.Core.Control.Node> replicas, CancellationToken ct) => Task.CompletedTask;
        public Task ReleaseAsync(RunContext run, CancellationToken ct) => Task.CompletedTask;
    }

    [Fact]
    public void Should_Heal_Every_Enabled_Fault_In_The_Final_Generator()
    {
        // Given
        var package = NemesisPackages.Create(Options("partition", "kill", "pause", "loss"), new MemoryDatabase(Options()));

        // When
        var h = new GenSimulator { Concurrency = 1 }.Run(Gen.OnNemesis(package.Final));

        // Then
        Assert.Equal(["stop-partition", "start", "resume", "stop-loss"], h.Where(o => o.IsInvoke).Select(o => o.F));
    }

    [Fact]
    public async Task Should_Restart_What_It_Killed_And_Resume_What_It_Paused_When_Torn_Down()
    {
        // Given a kill and a pause applied to the memory database
        var options = Options("kill", "pause", "partition");
        var db = new MemoryDatabase(options);
        var package = NemesisPackages.Create(options, db);
        await using var cluster = new FakeCluster(3);
        using var recorder = new HistoryRecorder(null);
        var run = new RunContext { Options = options, Cluster = cluster, ResultDirectory = cluster.RunDirectory, Logger = NullLogger.Instance, Recorder = recorder };
        var killed = await package.Nemesis.InvokeAsync(run, Operation.Invoke(Operation.NemesisProcess, NemesisFs.Kill, null), default);
        var paused = await package.Nemesis.InvokeAsync(run, Operation.Invoke(Operation.NemesisProcess, NemesisFs.Pause, null), default);
        var split = await package.Nemesis.InvokeAsync(run, Operation.Invoke(Operation.NemesisProcess, NemesisFs.StartPartition, null), default);

        // When
        await package.Nemesis.TeardownAsync(run, default);

        // Then every completion was Info naming its nodes, and nothing stays broken
        Assert.All([killed, paused, split], o => Assert.True(o.IsInfo && o.Value?.Get("nodes") is { Count: > 0 }, o.ToString()));
        foreach (var node in cluster.Nodes)
        {
            await using var c = await db.OpenClientAsync(run, node, default);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var read = await c.InvokeAsync(Operation.Invoke(0, "read", null), cts.Token);
            Assert.NotEqual("connection-refused", read.Error);
        }
        Assert.True(cluster.FakeNetwork.IsHealed);
    }

    private sealed class PlainDatabase : IDatabase
    {
        public Task SetupAsync(RunContext run, CancellationToken ct) => Task.CompletedTask;
        public Task TeardownAsync(RunContext run, CancellationToken ct) => Task.CompletedTask;
    }
}
