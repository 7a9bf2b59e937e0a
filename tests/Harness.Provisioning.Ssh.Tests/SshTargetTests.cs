namespace Harness.Provisioning.Ssh.Tests;

public sealed class SshTargetTests
{
    [Theory]
    [InlineData("db1", 22, "db1", 22)]
    [InlineData("db1.example.com:2222", 22, "db1.example.com", 2222)]
    [InlineData("10.0.0.5", 2200, "10.0.0.5", 2200)]
    [InlineData("10.0.0.5:22", 2200, "10.0.0.5", 22)]
    [InlineData("[fe80::1]:2222", 22, "fe80::1", 2222)]
    [InlineData("fe80::1", 22, "fe80::1", 22)]
    [InlineData("  n1  ", 22, "n1", 22)]
    public void Should_ReadHostAndPort_When_TheHostIsWellFormed(string text, int defaultPort, string host, int port)
    {
        // When a host is parsed, then it has the host and the port (the default when none is named)
        var target = SshTarget.TryParse(text, defaultPort, out var problem);
        Assert.Null(problem);
        Assert.Equal(new SshTarget(host, port), target);
    }

    [Theory]
    [InlineData("")]
    [InlineData("db1:")]
    [InlineData("db1:0")]
    [InlineData("db1:70000")]
    [InlineData("db1:ssh")]
    [InlineData("bad host")]
    [InlineData("-oProxyCommand=x")]
    [InlineData("a;b")]
    [InlineData("$(id)")]
    [InlineData("[fe80::1")]
    public void Should_SayWhatIsWrong_When_TheHostIsMalformed(string text)
    {
        // When a malformed host is parsed, then it is refused with a reason
        Assert.Null(SshTarget.TryParse(text, 22, out var problem));
        Assert.False(string.IsNullOrEmpty(problem));
    }

    [Fact]
    public void Should_WriteTheKnownHostsName_When_ThePortIsNotTheDefault()
    {
        // When a host on another port is named in known_hosts, then it is [host]:port, as OpenSSH writes it
        Assert.Equal("db1", new SshTarget("db1", 22).KnownHostsName);
        Assert.Equal("[db1]:2222", new SshTarget("db1", 2222).KnownHostsName);
    }

    [Fact]
    public void Should_SkipCommentsAndBlankLines_When_ReadingANodesFile()
    {
        // Given a nodes file as Jepsen reads it
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "# the cluster\nn1\n\n  n2:2222  # second\n#n3\nn4\n");

        // When it is read, then only the hosts remain, in order
        Assert.Equal(["n1", "n2:2222", "n4"], SshTarget.ReadNodesFile(file));
        File.Delete(file);
    }
}
