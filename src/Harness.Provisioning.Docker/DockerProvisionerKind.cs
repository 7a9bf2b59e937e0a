using System.Collections.Immutable;
using Harness.Core.Control;
using Harness.Core.Running;
using Harness.Core.Runs;

namespace Harness.Provisioning.Docker;

/// <summary><c>--provisioner docker</c>: nodes are containers on a Docker daemon (an existing one, or a private
/// dockerd for the run as root).</summary>
public sealed class DockerProvisionerKind : IProvisionerKind
{
    public const string KindName = "docker";

    public string Name => KindName;

    public string Description => "Docker containers on one private network (DOCKER_HOST, /var/run/docker.sock, or a private dockerd as root)";

    public ImmutableArray<SuiteOption> Options => [];

    public IProvisioner Create(TestOptions options, TextWriter? status) => new DockerProvisioner(status);

    public IProvisioner ForCleanup(TextWriter? status) => new DockerProvisioner(status);
}
