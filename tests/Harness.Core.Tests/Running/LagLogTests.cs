using Harness.Core.Running;

namespace Harness.Core.Tests.Running;

public sealed class LagLogTests
{
    [Fact]
    public void Should_Read_Back_Every_Figure_When_A_Sample_Is_Written_And_Read()
    {
        // Given a sample with every figure, and one with none but time and node
        var full = new LagSample(1_234_567_890, "n2", "n1", "streaming", 0.25, 0.5, 101.125, 4096, "0/3000060", "0/3001060");
        var bare = new LagSample(2_000_000_000, "n3");

        // When both are written as lag.jsonl lines and read again
        var lines = new[] { LagLog.Line(full), LagLog.Line(bare) };
        var read = LagLog.Read(lines);

        // Then they come back equal, with no warning, and figures not reported are left out of the line
        Assert.Equal([full, bare], read.Samples.ToArray());
        Assert.Empty(read.Warnings);
        Assert.Equal("""{"time":2000000000,"node":"n3"}""", lines[1]);
        Assert.Contains("\"replay_lag_ms\":101.125", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Should_Keep_The_Samples_Before_It_And_Warn_When_The_Last_Line_Is_Torn()
    {
        // Given lag.jsonl of a run killed while writing its last line
        var lines = new[] { LagLog.Line(new LagSample(1, "n2", BytesBehind: 10)), "", """{"time":2,"node":"n2","bytes_beh""" };

        // When it is read
        var read = LagLog.Read(lines);

        // Then the complete sample is kept and the torn line is a warning naming its line number
        Assert.Single(read.Samples);
        Assert.Equal(10, read.Samples[0].BytesBehind);
        Assert.Contains(read.Warnings, w => w.Contains("line 3", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_Be_Null_When_A_Run_Directory_Has_No_Lag_File()
    {
        // Given a run directory without lag.jsonl (an older run, or a database that reports no replication status)
        var dir = Directory.CreateTempSubdirectory("harness-laglog-").FullName;
        try
        {
            // When it is read, Then there is nothing (not an empty list: the report draws no plot then)
            Assert.Null(LagLog.ReadRun(dir));

            // And once the file exists, its samples are read
            File.WriteAllText(Path.Combine(dir, LagLog.FileName), LagLog.Line(new LagSample(5, "n3", State: "detached")) + "\n");
            Assert.Equal("detached", LagLog.ReadRun(dir)!.Samples.Single().State);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
