using Harness.Core.Running;

namespace Harness.Core.Tests.Running;

public sealed class ResultStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("harness-store-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("under-a-file")]
    [InlineData("proc")]
    public void Should_Throw_A_One_Line_User_Error_When_The_Results_Directory_Cannot_Be_Written(string kind)
    {
        // Given --results below a regular file, or in /proc (unwritable even for root)
        var file = Path.Combine(_dir, "plain-file");
        File.WriteAllText(file, "");
        var root = kind == "proc" ? "/proc/self" : Path.Combine(file, "results");

        // When a run directory is created
        var e = Assert.Throws<UserErrorException>(() => new ResultStore(root).CreateRunDirectory("memory-set", DateTimeOffset.UtcNow));

        // Then one line names --results and how to fix it
        Assert.Contains($"under --results {root}: ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("pass --results DIR, a directory you can write", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Should_Start_An_Empty_Phase_Record_When_Creating_A_Run_Directory()
    {
        // Given / When a fresh run directory
        var dir = new ResultStore(_dir).CreateRunDirectory("t", DateTimeOffset.UtcNow);
        ResultStore.MarkPhaseDone(dir, "main");

        // Then its phases are recorded; a directory without the record reads as null (an older run)
        Assert.Equal(["main"], ResultStore.ReadPhasesDone(dir)!);
        Assert.Null(ResultStore.ReadPhasesDone(_dir));
    }
}
