using System.Collections.Immutable;
using Harness.Core;
using Harness.Core.Control;
using Harness.Core.Running;
using Harness.Databases.Etcd;
using Harness.Databases.Memory;
using Harness.Databases.MySql;
using Harness.Databases.Postgres;
using Harness.Databases.Redis;
using Harness.Provisioning.Docker;
using Harness.Provisioning.Netns;
using Harness.Provisioning.Ssh;

namespace Harness.Cli;

/// <summary>Every database suite and provisioner the CLI knows, by name: the one list to extend.</summary>
internal static class Suites
{
    /// <summary>All suites (fresh instances).</summary>
    public static ImmutableArray<ISuite> All() => [new MemorySuite(), new PostgresSuite(), new MySqlSuite(), new EtcdSuite(), new RedisSuite()];

    public static ImmutableArray<string> Names => [.. All().Select(s => s.Name)];

    /// <summary>The suite called <paramref name="name"/> (or by one of its aliases), or null.</summary>
    public static ISuite? TryFind(string name) => All().FirstOrDefault(s => s.Name == name || s.Aliases.Contains(name));

    /// <summary>The suite called <paramref name="name"/>; an unknown name is a user error listing the valid ones.</summary>
    public static ISuite Find(string name) =>
        TryFind(name) ?? throw new UserErrorException($"unknown database '{name}'; valid databases: {string.Join(", ", Names)}");

    /// <summary>Every provisioner kind (--provisioner NAME), the default first.</summary>
    public static ImmutableArray<IProvisionerKind> ProvisionerKinds { get; } = [new NetnsProvisionerKind(), new DockerProvisionerKind(), new SshProvisionerKind()];

    public static ImmutableArray<string> Provisioners => [.. ProvisionerKinds.Select(k => k.Name)];

    /// <summary>The provisioner kind called <paramref name="name"/>; an unknown name is a user error listing the valid ones.</summary>
    public static IProvisionerKind ProvisionerKind(string name) =>
        ProvisionerKinds.FirstOrDefault(k => k.Name == name)
        ?? throw new UserErrorException($"unknown provisioner '{name}'; valid provisioners: {string.Join(", ", Provisioners)}");

    /// <summary>The provisioner that removes what a dead run of kind <paramref name="name"/> left (harness cleanup).</summary>
    public static IProvisioner CleanupProvisioner(string name, TextWriter? status) => ProvisionerKind(name).ForCleanup(status);
}
