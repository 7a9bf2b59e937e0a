using System.Collections.Immutable;
using Harness.Core.Control;
using Harness.Core.Running;
using Harness.Core.Runs;

namespace Harness.Provisioning.Docker;

/// <summary><c>--provisioner docker</c>: nodes are containers on a Docker daemon (an existing one, or a private
/// dockerd for the run as root). Its option: <c>--image NAME</c>, the node image (otherwise the official image of
/// the server package when the daemon has it, else one built here and cached).</summary>
public sealed class DockerProvisionerKind : IProvisionerKind
{
    public const string KindName = "docker";

    /// <summary><c>--image NAME</c>: an image the daemon has or can pull.</summary>
    public static readonly TextOption Image = new("image",
        "The node image, in the Docker daemon or pulled by it; default: the official image of the server package if the daemon has it, else one built here from Debian packages and cached (the official image is pulled first when a registry answers)",
        "NAME[:TAG] | ID", check: DockerImages.CheckName);

    public string Name => KindName;

    public string Description => "Docker containers on one private network (DOCKER_HOST, /var/run/docker.sock, or a private dockerd as root)";

    public ImmutableArray<SuiteOption> Options => [Image];

    public IProvisioner Create(TestOptions options, TextWriter? status) =>
        new DockerProvisioner(status) { Image = Image.Of(options) is { Length: > 0 } image ? image : null };

    public IProvisioner ForCleanup(TextWriter? status) => new DockerProvisioner(status);
}
