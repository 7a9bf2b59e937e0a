using Harness.Testing;

namespace Harness.Report.Tests.Browser;

/// <summary>
/// A test that opens reports in headless chromium. Off CI it is skipped when chromium is not installed;
/// with CI=true it always runs and fails when chromium is missing (the CI script installs Debian's chromium).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (HeadlessChromium.Find() is null && !HostCapabilities.IsCi)
            Skip = "needs chromium (apt-get install -y chromium); runs and fails without it when CI=true";
    }

    /// <summary>Fails the test when chromium is missing (for CI).</summary>
    public static void Require()
    {
        if (HeadlessChromium.Find() is null) Assert.Fail("this test needs chromium: apt-get install -y chromium");
    }
}
