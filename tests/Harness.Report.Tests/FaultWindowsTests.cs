using Harness.Core.Histories;

namespace Harness.Report.Tests;

public sealed class FaultWindowsTests
{
    private static Datum Json(string json)
    {
        var reader = new System.Text.Json.Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json));
        reader.Read();
        return HistoryJson.ReadDatum(ref reader);
    }

    private static Operation Nem(OpType type, string f, string value, long time) =>
        new(type, Operation.NemesisProcess, f, Json(value)) { TimeNanos = time };

    [Fact]
    public void Should_Span_From_Start_Invocation_To_Stop_Completion_When_A_Partition_Heals()
    {
        // Given a partition started at 100 (applied at 150) and healed at 900 (done at 950)
        var history = new History([
            Nem(OpType.Invoke, "start-partition", """{"shape":"one"}""", 100),
            Nem(OpType.Info, "start-partition", """{"nodes":["n1"],"components":[["n1"],["n2","n3"]]}""", 150),
            Nem(OpType.Invoke, "stop-partition", "null", 900),
            Nem(OpType.Info, "stop-partition", "null", 950),
        ]);

        // When the windows are computed
        var windows = FaultWindows.From(history);

        // Then there is one closed window naming the components
        var w = Assert.Single(windows);
        Assert.Equal(("partition", 100L, 950L, false), (w.Kind, w.StartNanos, w.EndNanos, w.Open));
        Assert.Equal("partition n1 | n2 n3", w.Label);
        Assert.Equal(["n1"], w.Nodes.ToArray());
        Assert.Equal([0L, 1, 2, 3], w.Ops.ToArray());
    }

    [Fact]
    public void Should_Pair_Kill_With_Start_And_Leave_Pause_Open_When_Never_Resumed()
    {
        // Given a kill of n2 that is restarted, then a pause of n3 that never resumes, and a client op at the end
        var history = new History([
            Nem(OpType.Invoke, "kill", "null", 10),
            Nem(OpType.Info, "kill", """{"nodes":["n2"]}""", 20),
            Nem(OpType.Invoke, "start", "null", 30),
            Nem(OpType.Info, "start", """{"nodes":["n2"]}""", 40),
            Nem(OpType.Invoke, "pause", "null", 50),
            Nem(OpType.Info, "pause", """{"nodes":["n3"]}""", 60),
            Operation.Invoke(0, "read", Datum.Nil) with { TimeNanos = 70 },
            new Operation(OpType.Ok, 0, "read", Datum.Of(1)) { TimeNanos = 500 },
        ]);

        // When the windows are computed
        var windows = FaultWindows.From(history);

        // Then the kill is closed at the start's completion and the pause runs to the end of the history
        Assert.Equal(2, windows.Length);
        Assert.Equal(("kill", 10L, 40L, false, "kill n2"), (windows[0].Kind, windows[0].StartNanos, windows[0].EndNanos, windows[0].Open, windows[0].Label));
        Assert.Equal(("pause", 50L, 500L, true, "pause n3"), (windows[1].Kind, windows[1].StartNanos, windows[1].EndNanos, windows[1].Open, windows[1].Label));
    }

    [Fact]
    public void Should_Close_Every_Open_Fault_When_The_Runner_Heals_An_Interrupted_Run()
    {
        // Given a partition and a pause still open when the run was interrupted, then the runner's heal
        var history = new History([
            Nem(OpType.Invoke, "start-partition", """{"shape":"one"}""", 100),
            Nem(OpType.Info, "start-partition", """{"nodes":["n1"],"components":[["n1"],["n2","n3"]]}""", 150),
            Nem(OpType.Invoke, "pause", "null", 200),
            Nem(OpType.Info, "pause", """{"nodes":["n3"]}""", 250),
            Nem(OpType.Invoke, "heal", "null", 900),
            Nem(OpType.Info, "heal", "null", 950),
        ]);

        // When the windows are computed
        var windows = FaultWindows.From(history);

        // Then both end at the heal's completion
        Assert.Equal(2, windows.Length);
        Assert.All(windows, w => Assert.Equal((950L, false), (w.EndNanos, w.Open)));
    }

    [Fact]
    public void Should_Make_An_Instant_Window_When_The_Op_Has_No_Counterpart()
    {
        // Given a promote (no matching stop) and a kill-primary that a start ends
        var history = new History([
            Nem(OpType.Invoke, "kill-primary", "null", 10),
            Nem(OpType.Info, "kill-primary", """{"nodes":["n1"]}""", 15),
            Nem(OpType.Invoke, "promote", "null", 20),
            Nem(OpType.Info, "promote", """{"nodes":["n2"]}""", 25),
            Nem(OpType.Invoke, "start", "null", 30),
            Nem(OpType.Info, "start", "null", 35),
        ]);

        // When the windows are computed
        var windows = FaultWindows.From(history);

        // Then kill-primary is a kill window closed by start, and promote an instant window
        Assert.Equal(["kill primary n1", "promote n2"], windows.Select(w => w.Label));
        Assert.Equal((10L, 35L), (windows[0].StartNanos, windows[0].EndNanos));
        Assert.Equal((20L, 25L), (windows[1].StartNanos, windows[1].EndNanos));
    }

    [Fact]
    public void Should_Make_No_Window_When_The_Runner_Reads_Each_Nodes_Final_State()
    {
        // Given the convergence reads the runner records after the final heal (process nemesis, f node-state)
        var history = new History([
            Nem(OpType.Invoke, "node-state", """{"node":"n1"}""", 10),
            Nem(OpType.Info, "node-state", """{"node":"n1","state":[]}""", 15),
        ]);

        // When / Then they are not a fault
        Assert.Empty(FaultWindows.From(history));
    }

    [Theory]
    [InlineData("start-partition", "partition", null)]
    [InlineData("stop-partition", null, "partition")]
    [InlineData("start-loss", "loss", null)]
    [InlineData("stop-loss", null, "loss")]
    [InlineData("kill", "kill", null)]
    [InlineData("start", null, "kill")]
    [InlineData("pause", "pause", null)]
    [InlineData("resume", null, "pause")]
    [InlineData("promote", null, null)]
    public void Should_Classify_Nemesis_Fs_When_Asked(string f, string? starts, string? ends)
    {
        // Given / When / Then
        Assert.Equal(starts, FaultWindows.Starts(f));
        Assert.Equal(ends, FaultWindows.Ends(f));
    }
}
