using Harness.Check;

namespace Harness.Cli.Tests;

public sealed class CrashLogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("harness-crash-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Should_Keep_Only_The_Newest_Ten_When_Crash_Logs_Pile_Up()
    {
        // Given 15 older crash logs (a minute apart) and an unrelated file in the crash folder
        var now = DateTime.UtcNow;
        for (var i = 0; i < 15; i++)
        {
            var old = Path.Combine(_dir, $"harness-crash-{1000 + i}.log");
            File.WriteAllText(old, "old");
            File.SetLastWriteTimeUtc(old, now.AddMinutes(i - 60));
        }
        File.WriteAllText(Path.Combine(_dir, "notes.txt"), "");

        // When the CLI crashes
        var (path, problem) = CrashLog.Write(new InvalidOperationException("boom"), _dir);

        // Then the new log holds the trace, and it and the 9 newest older ones are all that remain
        Assert.Null(problem);
        Assert.Equal(Path.Combine(_dir, $"harness-crash-{Environment.ProcessId}.log"), path);
        Assert.Contains("InvalidOperationException: boom", File.ReadAllText(path!), StringComparison.Ordinal);
        var left = Directory.GetFiles(_dir, "harness-crash-*.log").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(10, left.Count);
        Assert.Contains($"harness-crash-{Environment.ProcessId}.log", left);
        Assert.Equal([.. Enumerable.Range(1006, 9).Select(i => $"harness-crash-{i}.log")], left.Where(f => f != $"harness-crash-{Environment.ProcessId}.log"));
        Assert.True(File.Exists(Path.Combine(_dir, "notes.txt")));
    }

    [Fact]
    public void Should_Say_Why_When_The_Crash_Folder_Cannot_Be_Written()
    {
        // Given a crash folder below a regular file
        var file = Path.Combine(_dir, "plain");
        File.WriteAllText(file, "");

        // When / Then no log, and a reason instead of a second crash
        var (path, problem) = CrashLog.Write(new InvalidOperationException("boom"), Path.Combine(file, "crash"));
        Assert.Null(path);
        Assert.False(string.IsNullOrEmpty(problem));
    }

    [Fact]
    public void Should_Use_A_Folder_Of_The_Users_Own_When_None_Is_Given() =>
        Assert.Equal(Path.Combine(Path.GetTempPath(), $"harness-crash-{Environment.UserName}"), CrashLog.DefaultDirectory);
}
