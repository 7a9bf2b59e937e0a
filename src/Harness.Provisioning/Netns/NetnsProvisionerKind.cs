using System.Collections.Immutable;
using Harness.Core.Control;
using Harness.Core.Running;
using Harness.Core.Runs;

namespace Harness.Provisioning.Netns;

/// <summary><c>--provisioner netns</c> (the default): nodes are network namespaces on this machine; no options of its own.</summary>
public sealed class NetnsProvisionerKind : IProvisionerKind
{
    public string Name => NetnsLeftovers.Provisioner;

    public string Description => "network namespaces on this machine, one bridge, servers as direct children (root)";

    public ImmutableArray<SuiteOption> Options => [];

    public IProvisioner Create(TestOptions options, TextWriter? status) => new NetnsProvisioner(status);

    public IProvisioner ForCleanup(TextWriter? status) => new NetnsProvisioner(status);
}
