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
        Skip = SkipReason(binaries);
        Binaries = binaries;
    }

    public IReadOnlyList<string> Binaries { get; }

    /// <summary>Why a test that needs <paramref name="binaries"/> is skipped here, or null when it runs.</summary>
    internal static string? SkipReason(string[] binaries) =>
        HostCapabilities.Missing(binaries) is { } reason && !HostCapabilities.IsCi ? $"needs a real cluster: {reason}" : null;
}

/// <summary>A parameterised <see cref="IntegrationFactAttribute"/>: skipped, or not, the same way.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class IntegrationTheoryAttribute : TheoryAttribute
{
    public IntegrationTheoryAttribute(params string[] binaries)
    {
        Skip = IntegrationFactAttribute.SkipReason(binaries);
        Binaries = binaries;
    }

    public IReadOnlyList<string> Binaries { get; }
}
