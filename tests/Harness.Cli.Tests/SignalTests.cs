using System.Diagnostics;
using System.Globalization;

namespace Harness.Cli.Tests;

/// <summary>SIGINT stops a run at once, also while the command is starting: the built CLI as a real process,
/// started through the ./harness launcher as a user starts it (the launcher's copy runs this build's CLI).</summary>
[Collection(LauncherCollection.Name)]
public sealed class SignalTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("harness-signal-").FullName;
    private string Results => Path.Combine(_root, "results");

    public SignalTests()
    {
        // A launcher root whose CLI is already built (the stamp is newer than any source, as there are none).
        var repo = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(repo, "Harness.sln"))) repo = Path.GetDirectoryName(repo.TrimEnd('/')) ?? throw new InvalidOperationException("no repo root");
        File.Copy(Path.Combine(repo, "harness"), Path.Combine(_root, "harness"));
        var cli = Directory.CreateDirectory(Path.Combine(_root, ".build", "cli")).FullName;
        File.CreateSymbolicLink(Path.Combine(cli, "harness"), Path.Combine(AppContext.BaseDirectory, "harness"));
        File.WriteAllText(Path.Combine(cli, ".stamp"), "");
        Directory.CreateDirectory(Results);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>The launcher with SIGINT at its default action, as a terminal's Ctrl-C finds it. env resets it and
    /// execs the launcher (same pid): a test run started in the background by a shell without job control inherits
    /// SIGINT ignored, an ignored signal stays ignored across exec, and bash cannot trap a signal ignored at its
    /// start, so every case here once ran to its 30 s end.</summary>
    private Process Start()
    {
        var psi = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--default-signal=INT", Path.Combine(_root, "harness"), "test", "memory", "--time-limit", "30", "--results", Results }) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    [InlineData(60)]
    [InlineData(150)]
    [InlineData(400)]
    [InlineData(1500)]
    public async Task Should_Stop_With_The_Documented_Code_When_Interrupted_Early(int afterMs)
    {
        // Given a 30 s run started through ./harness
        using var process = Start();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await Task.Delay(afterMs);

        // When SIGINT arrives while the launcher or the CLI starts, or while the test runs
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);

        // Then it stops long before the time limit with the documented code of an interrupted run, 2 (unknown),
        // whenever the signal came; before the test started, one line says so and no run directory was made
        var (stdout, stderr) = (await output, await error);
        if (process.ExitCode == 130 && afterMs == 0)
        {
            // The one exception: a SIGINT that reaches bash before it has run the launcher's first lines (its trap)
            // ends bash by the default action; nothing can catch it there (a signal ignored or blocked at bash's
            // start stays so for its traps too). It happens under load, and then nothing was made or printed.
            Assert.Equal("", stdout + stderr);
            Assert.Empty(Directory.EnumerateFileSystemEntries(Results));
            return;
        }
        Assert.True(process.ExitCode == 2, $"exit {process.ExitCode}: {stdout} {stderr}");
        if (stderr.Contains("interrupted before the test", StringComparison.Ordinal))
        {
            Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Empty(Directory.EnumerateFileSystemEntries(Results));
        }
    }
}
