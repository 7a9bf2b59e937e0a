using System.Collections.Immutable;
using Harness.Core;
using Harness.Core.Control;
using Harness.Core.Running;
using Harness.Databases.Etcd;
using Harness.Databases.Memory;
using Harness.Databases.MySql;
using Harness.Databases.Postgres;
using Harness.Provisioning.Docker;
using Harness.Databases.Redis;
using Harness.Provisioning.Netns;

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

    public static ImmutableArray<string> Provisioners => ["netns", "docker"];

    /// <summary>The provisioner called <paramref name="name"/>; <paramref name="status"/> receives its progress lines.</summary>
    public static IProvisioner Provisioner(string name, TextWriter? status) => name switch
    {
        "netns" => new NetnsProvisioner(status),
        "docker" => new DockerProvisioner(status),
        _ => throw new UserErrorException($"unknown provisioner '{name}'; valid provisioners: {string.Join(", ", Provisioners)}"),
    };
}
