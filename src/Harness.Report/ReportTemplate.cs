using System.Text;

namespace Harness.Report;

/// <summary>
/// The page: Assets/report-template.html (built from web/ and embedded), with the report data spliced into
/// its &lt;script type="application/json"&gt; element in place of <see cref="Placeholder"/>.
/// </summary>
internal static class ReportTemplate
{
    public const string Placeholder = "__HARNESS_REPORT_DATA__";
    private const string ResourceName = "Harness.Report.report-template.html";

    private static readonly Lazy<(byte[] Before, byte[] After)> Parts = new(Load);

    public static void Write(Stream output, ReadOnlySpan<byte> dataJson)
    {
        var (before, after) = Parts.Value;
        output.Write(before);
        output.Write(dataJson);
        output.Write(after);
    }

    private static (byte[] Before, byte[] After) Load()
    {
        using var stream = typeof(ReportTemplate).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing (rebuild Harness.Report)");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var html = reader.ReadToEnd();
        var at = html.IndexOf(Placeholder, StringComparison.Ordinal);
        if (at < 0 || html.IndexOf(Placeholder, at + 1, StringComparison.Ordinal) >= 0)
            throw new InvalidOperationException($"the report template must contain {Placeholder} exactly once");
        return (Encoding.UTF8.GetBytes(html[..at]), Encoding.UTF8.GetBytes(html[(at + Placeholder.Length)..]));
    }
}
