using Harness.Core.Histories;

namespace Harness.Checkers.Tests.Cycles;

/// <summary>
/// Sequential transaction scripts, one line per transaction: "&lt;process&gt; &lt;ok|fail|info&gt; &lt;micro-ops&gt;",
/// lines separated by '|'. Each transaction completes before the next starts.
/// </summary>
internal static class TxnScript
{
    public static History Build(string script)
    {
        var b = new TxnHistoryBuilder();
        foreach (var line in Lines(script))
        {
            var parts = line.Split(' ', 3);
            var process = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            _ = parts[1] switch
            {
                "ok" => b.Ok(process, parts[2]),
                "fail" => b.Fail(process, parts[2]),
                "info" => b.Info(process, parts[2]),
                _ => throw new ArgumentException($"bad line {line}"),
            };
        }
        return b.Build();
    }

    public static string[] Lines(string script) =>
        script.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>How many lines differ (the scripts must have equally many lines).</summary>
    public static int Differences(string a, string b)
    {
        var (x, y) = (Lines(a), Lines(b));
        Assert.Equal(x.Length, y.Length);
        return x.Zip(y).Count(p => p.First != p.Second);
    }
}
