using Harness.Core.Clients;
using Harness.Core.Databases;
using Harness.Core.Nemeses;
using Harness.Core.Runs;

namespace Harness.Core.Running;

/// <summary>A composed test: plain parts, built by a suite from options.</summary>
public sealed record TestSpec
{
    public required string Name { get; init; }
    public required TestOptions Options { get; init; }
    public required IDatabase Database { get; init; }
    public required ClientFactory OpenClient { get; init; }
    public required Workload Workload { get; init; }

    /// <summary>Debian packages the nodes need for this test (installed by the provisioner when missing).</summary>
    public IReadOnlyList<string> Packages { get; init; } = [];

    /// <summary>Faults and their schedule (<see cref="NemesisPackages.Create"/>); none by default.</summary>
    public NemesisPackage Nemesis { get; init; } = NemesisPackage.None;
}
