using System.Collections.Immutable;
using Harness.Core.Control;
using Harness.Core.Runs;

namespace Harness.Core.Running;

/// <summary>One per database adapter (Jepsen's etcd-test): its name, its own options, and a test built from options.</summary>
public interface ISuite
{
    /// <summary>The name used on the command line: <c>harness test &lt;name&gt;</c>.</summary>
    string Name { get; }

    /// <summary>Other names for the same suite (e.g. mariadb for mysql).</summary>
    ImmutableArray<string> Aliases => [];

    /// <summary>One line for <c>harness test --help</c> and <c>harness list</c>.</summary>
    string Description { get; }

    IReadOnlySet<string> SupportedWorkloads { get; }

    /// <summary>The database's own options (shown by <c>harness test &lt;name&gt; --help</c>).</summary>
    IReadOnlyList<SuiteOption> Options { get; }

    /// <summary>Combinations of options the suite refuses, each with a one-line reason.</summary>
    IReadOnlyList<OptionRule> Rules => [];

    /// <summary>The suite's own provisioner (e.g. in-process nodes), or null to use the one chosen with --provisioner.</summary>
    IProvisioner? Provisioner => null;

    /// <summary>Builds the test from options already checked by <see cref="SuiteOptions.Resolve(ISuite, TestOptions)"/>.</summary>
    TestSpec CreateTest(TestOptions options);
}
