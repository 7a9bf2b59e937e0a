namespace Harness.Report;

/// <summary>The file names of a run directory (results/&lt;test&gt;/&lt;time&gt;/).</summary>
public static class RunFiles
{
    public const string History = "history.jsonl";
    public const string Results = "results.json";
    public const string Test = "test.json";
    public const string Report = "report.html";
    public const string Index = "index.html";

    /// <summary>harness test-all keeps each matrix run in &lt;results&gt;/matrices/&lt;time&gt;/matrix.json (shown as a grid in index.html).</summary>
    public const string MatrixDirectory = "matrices";
    public const string Matrix = "matrix.json";
}
