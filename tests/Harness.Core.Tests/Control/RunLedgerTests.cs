using System.Diagnostics;
using Harness.Core.Control;

namespace Harness.Core.Tests.Control;

public sealed class RunLedgerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("harness-ledger-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Should_ReadBackWhatWasRecorded_When_ResourcesAreAddedAndRemoved()
    {
        // Given a run's marker with resources added before they are made, and a process that later exited
        var ledger = RunLedger.Create("netns", "1a2b", leftRunning: true, directory: _dir);
        var server = RunResource.Process(4242, 123456);
        ledger.Add(new RunResource("namespace", "h1a2bn1"), new RunResource("veth", "hv1a2b1"), server);
        ledger.Add(new RunResource("directory", "/dev/shm/h1a2b") { Host = "db1" }, new RunResource("namespace", "h1a2bn1"));
        ledger.Remove(server);

        // When the markers are read back from disk
        var (path, marker) = Assert.Single(RunLedger.ReadAll(_dir));

        // Then they say who made them and hold every resource still recorded, once, in order
        Assert.Equal(RunLedger.PathFor("netns", "1a2b", _dir), path);
        Assert.Equal(ledger.FilePath, path);
        Assert.Equal("1a2b", marker.RunId);
        Assert.Equal("netns", marker.Provisioner);
        Assert.Equal(Environment.ProcessId, marker.HarnessPid);
        Assert.Equal(LocalProcess.StartTimeOf(Environment.ProcessId), marker.HarnessStartTime);
        Assert.True(marker.LeftRunning);
        Assert.Equal(["namespace h1a2bn1", "veth hv1a2b1", "directory db1:/dev/shm/h1a2b"], marker.Resources.Select(r => r.ToString()));
        Assert.False(File.Exists(path + ".tmp"));

        // And a clean teardown deletes the marker; later records are ignored
        ledger.Delete();
        ledger.Add(server);
        Assert.Empty(RunLedger.ReadAll(_dir));
    }

    [Fact]
    public void Should_KeepTheStartTimeOfAProcess_When_ItIsRecorded()
    {
        var ledger = RunLedger.Create("netns", "0001", directory: _dir);
        ledger.Add(RunResource.Process(77, 987654321));

        var resource = Assert.Single(RunLedger.Read(ledger.FilePath)!.Resources);

        Assert.Equal(new RunResource(RunResource.ProcessKind, "77") { StartTime = 987654321 }, resource);
    }

    [Fact]
    public void Should_CountTheRunAsDead_When_ItsPidIsReusedOrGone()
    {
        // Given the marker of a run made by this (live) process
        var marker = RunLedger.Create("netns", "beef", directory: _dir).Marker;

        // Then it is alive; the same PID with another start time (a reused PID) is not, nor is an exited process
        Assert.True(marker.IsAlive);
        Assert.False((marker with { HarnessStartTime = marker.HarnessStartTime + 1 }).IsAlive);
        using var exited = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!; // not shell-executed
        var start = LocalProcess.StartTimeOf(exited.Id);
        exited.WaitForExit();
        Assert.False((marker with { HarnessPid = exited.Id, HarnessStartTime = start ?? 0 }).IsAlive);
        Assert.False((marker with { HarnessPid = -1 }).IsAlive);
        Assert.Null(LocalProcess.StartTimeOf(-1));
    }

    [Fact]
    public void Should_NameTheRuntimesDiagnosticFiles_When_AskedForThem()
    {
        // Given this process's marker (the .NET runtime names its diagnostic files by PID and start time)
        var marker = RunLedger.Create("netns", "d1a9", directory: _dir).Marker;

        // Then the names are the runtime's: when diagnostics are on, the socket of this very process exists
        Assert.Equal(Path.Combine(marker.TempDirectory, $"dotnet-diagnostic-{Environment.ProcessId}-{marker.HarnessStartTime}-socket"), marker.DiagnosticFiles[0]);
        Assert.Equal(3, marker.DiagnosticFiles.Length);
        if (Environment.GetEnvironmentVariable("DOTNET_EnableDiagnostics") is not "0" && OperatingSystem.IsLinux())
            Assert.True(File.Exists(marker.DiagnosticFiles[0]), marker.DiagnosticFiles[0]);
    }

    [Fact]
    public void Should_SkipAFile_When_ItIsNotAMarker()
    {
        File.WriteAllText(Path.Combine(_dir, "netns-0bad.json"), "{ not json");
        File.WriteAllText(Path.Combine(_dir, "netns-0bad2.json"), "{}");

        Assert.Empty(RunLedger.ReadAll(_dir));
        Assert.Empty(RunLedger.ReadAll(Path.Combine(_dir, "missing")));
    }
}
