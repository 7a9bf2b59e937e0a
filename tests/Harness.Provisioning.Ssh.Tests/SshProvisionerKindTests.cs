using System.Collections.Immutable;
using Harness.Core;
using Harness.Core.Running;
using Harness.Core.Runs;

namespace Harness.Provisioning.Ssh.Tests;

public sealed class SshProvisionerKindTests
{
    private static readonly SshProvisionerKind Kind = new();

    private static TestOptions Options(params (string Name, string Value)[] given) =>
        new TestOptions { Database = "memory", Provisioner = "ssh" } with
        {
            ProvisionerOptions = given.ToImmutableSortedDictionary(g => g.Name, g => g.Value, StringComparer.Ordinal),
        };

    [Fact]
    public void Should_ImplyOneNodePerHost_When_HostsAreNamedWithNode()
    {
        // When three hosts are named, then the test has three nodes, and the defaults are filled in
        var resolved = SuiteOptions.Resolve(Kind, Options(("node", "a\nb:2222\n10.0.0.3")));
        Assert.Equal(3, resolved.NodeCount);
        Assert.Equal([new SshTarget("a", 22), new SshTarget("b", 2222), new SshTarget("10.0.0.3", 22)], SshProvisionerKind.Targets(resolved));
        Assert.Equal("root", SshProvisionerKind.User.Of(resolved));
        Assert.Equal("yes", SshProvisionerKind.StrictHostKeyChecking.Of(resolved));
    }

    [Fact]
    public void Should_ReadTheHosts_When_ANodesFileIsGiven()
    {
        // Given a nodes file and another default port
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "# lab\nh1\nh2:23\n");

        // Then its hosts are the nodes, on --ssh-port unless they name a port
        var resolved = SuiteOptions.Resolve(Kind, Options(("nodes-file", file), ("ssh-port", "2200")));
        Assert.Equal([new SshTarget("h1", 2200), new SshTarget("h2", 23)], SshProvisionerKind.Targets(resolved));
        File.Delete(file);
    }

    [Theory]
    [InlineData("", "", "needs the hosts")]
    [InlineData("a", "/etc/hostname", "not both")]
    [InlineData("a\na", "", "named twice")]
    [InlineData("good\nbad host", "", "--node bad host")]
    [InlineData("", "/nonexistent/nodes", "no such file")]
    public void Should_RefuseInOneLine_When_TheHostsAreMissingDuplicatedOrMalformed(string nodes, string file, string expected)
    {
        // When the hosts are given wrongly, then one line says what to fix
        List<(string, string)> given = [];
        if (nodes.Length > 0) given.Add(("node", nodes));
        if (file.Length > 0) given.Add(("nodes-file", file));
        var e = Assert.Throws<UserErrorException>(() => SuiteOptions.Resolve(Kind, Options([.. given])));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Should_RefuseAnEmptyNodesFile_When_ItNamesNoHost()
    {
        // Given a nodes file with only comments, then it is refused
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "# nothing\n\n");
        var e = Assert.Throws<UserErrorException>(() => SuiteOptions.Resolve(Kind, Options(("nodes-file", file))));
        Assert.Contains("names no host", e.Message, StringComparison.Ordinal);
        File.Delete(file);
    }

    [Fact]
    public void Should_KeepTheLoginSettings_When_KeySudoAndKnownHostsAreGiven()
    {
        // Given a key, a known_hosts file, sudo and no host key checking
        var key = Path.GetTempFileName();
        var resolved = SuiteOptions.Resolve(Kind, Options(("node", "a"), ("ssh-key", key), ("ssh-known-hosts", key), ("sudo", "true"),
            ("ssh-user", "deploy"), ("ssh-strict-host-key-checking", "no")));

        // Then the settings say so (absolute paths: the marker is read by a later `harness cleanup` from anywhere)
        var settings = SshProvisionerKind.Settings(resolved);
        Assert.Equal("deploy", settings.User);
        Assert.True(settings.Sudo);
        Assert.False(settings.StrictHostKeyChecking);
        Assert.Equal([key], settings.KeyFiles);
        Assert.Equal([key], settings.KnownHostsFiles);
        Assert.Equal(settings.ToJson(), SshSettings.FromJson(settings.ToJson())!.ToJson());
        File.Delete(key);
    }
}
