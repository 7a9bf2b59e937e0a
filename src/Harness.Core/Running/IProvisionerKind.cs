using System.Collections.Immutable;
using Harness.Core.Control;
using Harness.Core.Runs;

namespace Harness.Core.Running;

/// <summary>
/// A way of making nodes, as <c>--provisioner NAME</c> names it: its own options (declared as data, like a suite's:
/// docker's --image, ssh's --node), the checks on them, and the provisioner for a test. The CLI lists every kind;
/// adding one is additive (a project, a kind, one line in the CLI's list).
/// </summary>
public interface IProvisionerKind
{
    /// <summary>The --provisioner value (e.g. "netns", "docker", "ssh"); also <see cref="RunMarker.Provisioner"/>.</summary>
    string Name { get; }

    /// <summary>One line for <c>harness list</c> and the help.</summary>
    string Description { get; }

    /// <summary>The options only this provisioner takes; giving one with another provisioner is refused.</summary>
    ImmutableArray<SuiteOption> Options { get; }

    /// <summary>The number of nodes the (normalised) options imply, e.g. the hosts named with ssh's --node, or null
    /// when they do not say. The CLI then uses it as --nodes, and refuses a --nodes that differs.</summary>
    int? ImpliedNodeCount(TestOptions options) => null;

    /// <summary>Checks the normalised options together (after <see cref="ImpliedNodeCount"/> has set the node
    /// count); throws <see cref="UserErrorException"/> with one line saying what to fix.</summary>
    TestOptions Resolve(TestOptions options) => options;

    /// <summary>The provisioner for a test with these (resolved) options; <paramref name="status"/> receives its
    /// progress lines.</summary>
    IProvisioner Create(TestOptions options, TextWriter? status);

    /// <summary>A provisioner that finds and removes what a dead run of this kind recorded in its marker
    /// (<c>harness cleanup</c>); it needs nothing but the marker.</summary>
    IProvisioner ForCleanup(TextWriter? status);
}
