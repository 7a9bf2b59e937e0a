namespace Harness.Report;

/// <summary>The file names of a run directory (results/&lt;test&gt;/&lt;time&gt;/).</summary>
public static class RunFiles
{
    public const string History = "history.jsonl";
    public const string Results = "results.json";
    public const string Test = "test.json";
    public const string Report = "report.html";

    /// <summary>The database's own replication lag, sampled during the run (absent for other databases and older runs).</summary>
    public const string Lag = Harness.Core.Running.LagLog.FileName;
    public const string Index = "index.html";

    /// <summary>harness test-all keeps each matrix run in &lt;results&gt;/matrices/&lt;time&gt;/matrix.json (shown as a grid in index.html).</summary>
    public const string MatrixDirectory = "matrices";
    public const string Matrix = "matrix.json";
}
