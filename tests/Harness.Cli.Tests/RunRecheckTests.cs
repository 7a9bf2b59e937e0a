using System.Text.Json.Nodes;
using Harness.Core.Running;

namespace Harness.Cli.Tests;

public sealed class RunRecheckTests : IDisposable
{
    private readonly string _results = Directory.CreateTempSubdirectory("harness-recheck-").FullName;

    public void Dispose() => Directory.Delete(_results, recursive: true);

    private static async Task<int> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        return await CliApp.RunAsync(args, stdout, stderr);
    }

    private static JsonNode? Child(string runDir, string checker) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(runDir, ResultStore.ResultsFile)))!["children"]!.AsArray()
            .FirstOrDefault(c => (string?)c!["checker"] == checker);

    [Fact]
    public async Task Should_Summarize_The_Stored_Lag_Samples_When_Rechecking_A_Run_That_Has_Lag_Jsonl()
    {
        // Given a stored memory run (no replication status of its own), then a lag.jsonl beside its history
        Assert.Equal(0, await RunAsync("test", "memory", "--workload", "set", "--time-limit", "1", "--rate", "300", "--results", _results, "--seed", "5"));
        var run = Path.Combine(_results, "latest");
        Assert.Null(Child(run, ReplicationSummary.Checker));
        File.WriteAllLines(Path.Combine(run, LagLog.FileName),
            [LagLog.Line(new LagSample(1_000_000, "n2", "n1", "streaming", ReplayLagMs: 4, BytesBehind: 100)),
             LagLog.Line(new LagSample(2_000_000, "n2", "n1", "detached", BytesBehind: 50_000))]);

        // When it is checked again
        var exit = await RunAsync("check", run);

        // Then the verdict is unchanged and results.json has the replication-status summary of those samples
        Assert.Equal(0, exit);
        var status = Child(run, ReplicationSummary.Checker);
        Assert.NotNull(status);
        Assert.Equal(2, (int)status["stats"]!["samples"]!);
        Assert.Equal(50_000.0, (double)status["stats"]!["nodes"]!["n2"]!["bytes_behind"]!["max"]!);
    }
}
