namespace Harness.Report;

/// <summary>The file names of a run directory (results/&lt;test&gt;/&lt;time&gt;/).</summary>
public static class RunFiles
{
    public const string History = "history.jsonl";
    public const string Results = "results.json";
    public const string Test = "test.json";
    public const string Report = "report.html";
    public const string Index = "index.html";
}
