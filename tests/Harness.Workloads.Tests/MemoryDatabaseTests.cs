using Harness.Core;
using Harness.Core.Checking;
using Harness.Core.Nemeses;
using Harness.Core.Running;
using Harness.Databases.Memory;
using Harness.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Harness.Core.Runs;

namespace Harness.Workloads.Tests;

public sealed class MemoryDatabaseTests : IDisposable
{
    private readonly string _results = Directory.CreateTempSubdirectory("harness-memory-tests-").FullName;

    public void Dispose() => Directory.Delete(_results, recursive: true);

    private async Task<RunResult> RunAsync(TestOptions options)
    {
        var spec = new MemorySuite().CreateTest(options);
        var dir = new ResultStore(_results).CreateRunDirectory(spec.Name, DateTimeOffset.UtcNow);
        return await new TestRunner(NullLogger.Instance).RunAsync(spec, new FakeCluster(3), dir, CancellationToken.None);
    }

    private static System.Collections.Immutable.ImmutableSortedDictionary<string, string> Bug(string bug) =>
        System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty.Add("bug", bug);

    private static TestOptions Options(string workload, params string[] faults) => new()
    {
        Database = "memory",
        Workload = workload,
        Faults = [.. faults],
        PartitionShapes = ["primaries", "bridge"],
        Concurrency = 3,
        TimeLimit = TimeSpan.FromSeconds(1),
        Rate = 500,
        Seed = 11,
        NemesisInterval = TimeSpan.FromMilliseconds(100),
        OpTimeout = TimeSpan.FromMilliseconds(300),
        RecoveryTime = TimeSpan.Zero,
    };

    [Fact]
    public async Task Should_Survive_Every_Fault_When_Faults_Are_Combined()
    {
        // Given every fault at once against a correct database
        var options = Options("set", [.. FaultKinds.Names.Where(f => f != NemesisPackages.Lag)]); // every fault but lag: one store, no replication

        // When
        var result = await RunAsync(options);

        // Then nothing was lost: killed nodes refuse (fail), paused ones time out (info)
        Assert.Equal(Validity.Valid, result.Check.Validity);
    }

    [Fact]
    public async Task Should_Not_Be_Valid_When_Transfers_Lose_Money()
    {
        // Given / When
        var result = await RunAsync(Options("bank") with { DatabaseOptions = Bug(MemoryBugs.BadTransfer) });

        // Then the bank checker sees the total shrink
        Assert.Equal(Validity.Invalid, result.Check.Validity);
    }

    [Fact]
    public void Should_Reject_An_Unknown_Bug_With_The_Valid_Ones()
    {
        // When
        var e = Assert.Throws<UserErrorException>(() => SuiteOptions.Resolve(new MemorySuite(), Options("set") with { DatabaseOptions = Bug("slow") }));

        // Then
        Assert.Contains("lost-write", e.Message, StringComparison.Ordinal);
    }
}
