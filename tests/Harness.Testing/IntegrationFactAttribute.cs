using Xunit;

namespace Harness.Testing;

/// <summary>
/// A test that needs a real cluster. Off CI, it is skipped with the reason when a capability is missing;
/// with CI=true it is never skipped, and the test must start with <see cref="HostCapabilities.Require"/>,
/// which fails it with the reason.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class IntegrationFactAttribute : FactAttribute
{
    public IntegrationFactAttribute(params string[] binaries)
    {
        if (HostCapabilities.Missing(binaries) is { } reason && !HostCapabilities.IsCi)
            Skip = $"needs a real cluster: {reason}";
        Binaries = binaries;
    }

    public IReadOnlyList<string> Binaries { get; }
}
