namespace Harness.Core.Running;

/// <summary>One per database adapter: turns options into a test (Jepsen's etcd-test).</summary>
public interface ISuite
{
    string Name { get; }
    IReadOnlySet<string> SupportedWorkloads { get; }
    /// <summary>Debian packages the database needs on the machine (installed by the provisioner).</summary>
    IReadOnlyList<string> Packages { get; }
    /// <summary>Builds the test; throws <see cref="ArgumentException"/> with a one-line fix for unsupported combinations.</summary>
    TestSpec CreateTest(TestOptions options);
}
