namespace Harness.Report.Tests;

public sealed class LanesTests
{
    [Fact]
    public void Should_Give_Each_Process_A_Lane_When_There_Are_Few()
    {
        // Given three processes
        var rows = new List<(int, long, long)> { (2, 0, 10), (0, 1, 5), (1, 2, 8), (0, 6, 9) };

        // When lanes are assigned
        var (laneOf, members) = Lanes.Assign(rows);

        // Then lanes follow process order
        Assert.Equal([0, 1, 2], new[] { laneOf[0], laneOf[1], laneOf[2] });
        Assert.Equal(3, members.Count);
    }

    [Fact]
    public void Should_Pack_Successive_Processes_Into_Free_Lanes_When_Workers_Crash_Often()
    {
        // Given 2 workers whose processes crash every op: 40 processes, never more than 2 at a time
        var rows = new List<(int, long, long)>();
        for (var k = 0; k < 20; k++)
        {
            rows.Add((2 * k, k * 10, (k * 10) + 8));
            rows.Add(((2 * k) + 1, (k * 10) + 1, (k * 10) + 9));
        }

        // When lanes are assigned
        var (laneOf, members) = Lanes.Assign(rows);

        // Then two lanes hold all 40 processes, and no lane has two processes overlapping in time
        Assert.Equal(2, members.Count);
        Assert.Equal(40, members.Sum(m => m.Count));
        foreach (var lane in members)
        {
            var spans = lane.Select(p => rows.First(r => r.Item1 == p)).OrderBy(r => r.Item2).ToList();
            for (var i = 1; i < spans.Count; i++) Assert.True(spans[i].Item2 >= spans[i - 1].Item3);
        }
        Assert.All(rows, r => Assert.InRange(laneOf[r.Item1], 0, 1));
    }
}
