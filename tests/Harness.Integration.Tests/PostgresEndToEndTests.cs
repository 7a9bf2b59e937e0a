using System.Diagnostics;
using System.Text.Json.Nodes;
using Harness.Cli;
using Harness.Testing;

namespace Harness.Integration.Tests;

[Collection(ClusterCollection.Name)]
public sealed class PostgresEndToEndTests
{
    [IntegrationFact("postgres", "iptables")]
    public async Task Should_ReachAVerdict_AndLeaveNothing_When_RegisterRunsUnderPartitions()
    {
        await Capabilities.RequireAsync("ip", "iptables", "postgres");
        var results = Directory.CreateTempSubdirectory("harness-e2e-").FullName;
        var before = await MachineSnapshot.TakeAsync();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        // When a 10 s register test runs against a 3-node cluster with partitions every 3 s
        var exit = await CliApp.RunAsync(["test", "postgres", "--workload", "register", "--nemesis", "partition",
            "--time-limit", "10", "--nemesis-interval", "3", "--recovery-time", "2", "--results", results, "--plain", "--seed", "1"], stdout, stderr);

        // Then it reaches a verdict (valid: reads and writes both go to the primary), with a partition in the history
        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        var run = Directory.EnumerateFiles(results, "results.json", SearchOption.AllDirectories).Single(f => !f.Contains("/latest/", StringComparison.Ordinal));
        var verdict = JsonNode.Parse(await File.ReadAllTextAsync(run))!;
        Assert.Equal("valid", verdict["validity"]?.GetValue<string>().ToLowerInvariant());
        var history = await File.ReadAllTextAsync(Path.Combine(Path.GetDirectoryName(run)!, "history.jsonl"));
        Assert.Contains("\"start-partition\"", history, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(run)!, "logs", "n1", "postgres.log")));

        // And nothing of the cluster is left
        Assert.Empty(await MachineSnapshot.NewSinceAsync(before));
        Directory.Delete(results, recursive: true);
    }

    [IntegrationFact("postgres", "iptables")]
    public async Task Should_HealAndRemoveEverything_When_InterruptedDuringAPartition()
    {
        await Capabilities.RequireAsync("ip", "iptables", "postgres");
        var results = Directory.CreateTempSubdirectory("harness-ctrlc-").FullName;
        var before = await MachineSnapshot.TakeAsync();
        var harness = Path.Combine(AppContext.BaseDirectory, "harness.dll");
        // SIGINT at its default action, as a terminal's Ctrl-C finds it (a test run started in the background by a
        // shell without job control inherits it ignored, and .NET then leaves it ignored): env resets it and execs dotnet
        var psi = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--default-signal=INT", "dotnet", harness, "test", "postgres", "--workload", "set", "--nemesis", "partition", "--time-limit", "60",
                     "--nemesis-interval", "2", "--results", results, "--plain" })
            psi.ArgumentList.Add(a);

        // Given a test in the middle of a partition
        using var child = Process.Start(psi)!; // not shell-executed, so never null
        var output = child.StandardOutput.ReadToEndAsync();
        var errors = child.StandardError.ReadToEndAsync();
        var log = Path.Combine(results, "latest-log-not-found");
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(45))
        {
            log = Directory.EnumerateFiles(results, "harness.log", SearchOption.AllDirectories).FirstOrDefault() ?? log;
            if (File.Exists(log) && (await ReadSharedAsync(log)).Contains("nemesis start-partition", StringComparison.Ordinal)) break;
            await Task.Delay(100);
        }
        Assert.Contains("nemesis start-partition", await ReadSharedAsync(log), StringComparison.Ordinal);

        // When the user presses Ctrl-C (SIGINT)
        Assert.Equal(0, Syscalls.Kill(child.Id, 2));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await child.WaitForExitAsync(cts.Token);

        // Then the run stops, says it was interrupted, and leaves no namespace, link, rule, directory or server behind
        var text = await output + await errors;
        Assert.Contains("interrupted", text, StringComparison.Ordinal);
        Assert.Empty(await MachineSnapshot.NewSinceAsync(before));
        Directory.Delete(results, recursive: true);
    }

    private static async Task<string> ReadSharedAsync(string path)
    {
        await using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var r = new StreamReader(s);
        return await r.ReadToEndAsync();
    }
}
