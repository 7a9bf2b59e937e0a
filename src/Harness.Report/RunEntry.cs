namespace Harness.Report;

/// <summary>One run in results/index.html.</summary>
/// <param name="Test">The test directory's name (results/&lt;test&gt;/).</param>
/// <param name="Time">The run directory's name (results/&lt;test&gt;/&lt;time&gt;/).</param>
/// <param name="When">When the run started (parsed from <paramref name="Time"/>, else the directory's time).</param>
/// <param name="Verdict">"valid", "invalid", "unknown", or "not checked" when there is no results.json.</param>
/// <param name="Summary">The top checker's summary, or a note.</param>
/// <param name="Link">Path of the page to open, relative to the results root, with '/' separators.</param>
public sealed record RunEntry(string Test, string Time, DateTimeOffset When, string Verdict, string Summary, string Link);
