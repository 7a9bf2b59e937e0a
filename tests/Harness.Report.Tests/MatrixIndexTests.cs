namespace Harness.Report.Tests;

public sealed class MatrixIndexTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("harness-matrix-index-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Matrix(string time, string started, string tests)
    {
        var dir = Path.Combine(_root, RunFiles.MatrixDirectory, time);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, RunFiles.Matrix), $$"""{"format":1,"started":"{{started}}","finished":"{{started}}","exit":1,"tests":{{tests}}}""");
    }

    [Fact]
    public void Should_Show_Each_Matrix_As_A_Grid_Newest_First_With_A_Column_Per_Repetition()
    {
        // Given two matrix runs, the older one with a hostile link
        Matrix("20260101T000000Z", "2026-01-01T00:00:00Z", """[{"name":"memory --bug ../x","runs":[{"repetition":1,"verdict":"unknown","reason":"exceeded its budget","directory":"../../etc"}]}]""");
        Matrix("20260102T000000Z", "2026-01-02T00:00:00Z", """
            [{"name":"memory --workload set","runs":[{"repetition":1,"verdict":"valid","directory":"memory-set/20260102T000001Z"},{"repetition":2,"verdict":"invalid","summary":"lost <b>","directory":"memory-set/20260102T000002Z"}]},
             {"name":"postgres --workload register","runs":[{"repetition":1,"verdict":"running"}]}]
            """);

        // When the index is written
        var html = File.ReadAllText(ReportWriter.WriteIndex(_root));

        // Then both are grids, newest first, cells coloured and linked to the report, nothing outside results/
        Assert.True(html.IndexOf("2026-01-02 00:00:00", StringComparison.Ordinal) < html.IndexOf("2026-01-01 00:00:00", StringComparison.Ordinal));
        Assert.Contains("<th>1</th><th>2</th>", html, StringComparison.Ordinal);
        Assert.Contains("<a class=\"v valid\" href=\"memory-set/20260102T000001Z/report.html\"", html, StringComparison.Ordinal);
        Assert.Contains("<a class=\"v invalid\" href=\"memory-set/20260102T000002Z/report.html\" title=\"run 2: invalid: lost &lt;b&gt;\">", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"v running\"", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"v unknown\" title=\"run 1: unknown: exceeded its budget\">", html, StringComparison.Ordinal);
        Assert.DoesNotContain("etc/report.html", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_Leave_The_Grid_Out_When_There_Is_No_Matrix_Or_It_Is_Unreadable()
    {
        // Given an unreadable matrix.json
        var dir = Path.Combine(_root, RunFiles.MatrixDirectory, "20260101T000000Z");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, RunFiles.Matrix), "{not json");

        // When / Then
        Assert.DoesNotContain("matrix runs", File.ReadAllText(ReportWriter.WriteIndex(_root)), StringComparison.Ordinal);
    }
}
