namespace Harness.Core.Running;

/// <summary>One per database adapter: turns options into a test (Jepsen's etcd-test).</summary>
public interface ISuite
{
    string Name { get; }
    IReadOnlySet<string> SupportedWorkloads { get; }
    /// <summary>Debian packages the database needs on the machine (installed by the provisioner).</summary>
    IReadOnlyList<string> Packages { get; }
    /// <summary>The suite's own provisioner (e.g. in-process nodes), or null to use the one chosen with --provisioner.</summary>
    Control.IProvisioner? Provisioner => null;

    /// <summary>Builds the test; throws <see cref="ArgumentException"/> with a one-line fix for unsupported combinations.</summary>
    TestSpec CreateTest(TestOptions options);
}
