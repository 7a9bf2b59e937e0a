using System.Security.Cryptography;
using System.Text;

namespace Harness.Provisioning.Ssh.Tests;

public sealed class KnownHostsTests
{
    private static byte[] Blob(string type, byte fill)
    {
        var name = Encoding.ASCII.GetBytes(type);
        return [0, 0, 0, (byte)name.Length, .. name, 0, 0, 0, 32, .. Enumerable.Repeat(fill, 32)];
    }

    private static readonly byte[] KeyA = Blob("ssh-ed25519", 1);
    private static readonly byte[] KeyB = Blob("ssh-ed25519", 2);

    private static KnownHosts Load(string content)
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, content);
        var known = KnownHosts.Load([file, "/nonexistent/known_hosts"]);
        File.Delete(file);
        return known;
    }

    private static string Line(string names, byte[] key) => $"{names} ssh-ed25519 {Convert.ToBase64String(key)}\n";

    [Fact]
    public void Should_KnowTheKey_When_ItIsListedForTheHostOrItsPort()
    {
        // Given keys for a host on port 22, one on port 2222 (as [host]:port) and a wildcard
        var known = Load("# comment\n" + Line("db1,10.0.0.1", KeyA) + Line("[db2]:2222", KeyB) + Line("*.lab", KeyA));

        // Then each is known only under its own name and port
        Assert.Equal(HostKeyStatus.Known, known.Check(new SshTarget("10.0.0.1", 22), KeyA).Status);
        Assert.Equal(HostKeyStatus.Known, known.Check(new SshTarget("db2", 2222), KeyB).Status);
        Assert.Equal(HostKeyStatus.Unknown, known.Check(new SshTarget("db2", 22), KeyB).Status);
        Assert.Equal(HostKeyStatus.Known, known.Check(new SshTarget("x.lab", 22), KeyA).Status);
        Assert.Equal(HostKeyStatus.Unknown, known.Check(new SshTarget("db3", 22), KeyA).Status);
    }

    [Fact]
    public void Should_ReportAChangedKey_When_TheHostPresentsAnotherKeyOfAKnownType()
    {
        // Given db1's key, when db1 presents another ed25519 key, then it is a changed key (where: file and line)
        var verdict = Load(Line("db1", KeyA)).Check(new SshTarget("db1", 22), KeyB);
        Assert.Equal(HostKeyStatus.Changed, verdict.Status);
        Assert.EndsWith(":1", verdict.Where, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_MatchHashedNames_When_KnownHostsIsHashed()
    {
        // Given a hashed entry (HashKnownHosts yes: |1|salt|HMAC-SHA1(salt, name))
        var salt = RandomNumberGenerator.GetBytes(20);
#pragma warning disable CA5350 // OpenSSH's hashed names are HMAC-SHA1
        var hash = HMACSHA1.HashData(salt, Encoding.ASCII.GetBytes("[db1]:2222"));
#pragma warning restore CA5350
        var known = Load(Line($"|1|{Convert.ToBase64String(salt)}|{Convert.ToBase64String(hash)}", KeyA));

        // Then it matches that name and port only
        Assert.Equal(HostKeyStatus.Known, known.Check(new SshTarget("db1", 2222), KeyA).Status);
        Assert.Equal(HostKeyStatus.Unknown, known.Check(new SshTarget("db1", 22), KeyA).Status);
    }

    [Fact]
    public void Should_RefuseTheKey_When_ItIsRevokedOrTheHostIsNegated()
    {
        // Given a revoked key, and a pattern that excludes one host
        var known = Load("@revoked * ssh-ed25519 " + Convert.ToBase64String(KeyB) + "\n" + Line("db1", KeyB) + Line("*.lab,!bad.lab", KeyA));

        // Then the revoked key is refused even where listed, and the negated host is unknown
        Assert.Equal(HostKeyStatus.Revoked, known.Check(new SshTarget("db1", 22), KeyB).Status);
        Assert.Equal(HostKeyStatus.Unknown, known.Check(new SshTarget("bad.lab", 22), KeyA).Status);
        Assert.Equal(HostKeyStatus.Known, known.Check(new SshTarget("good.lab", 22), KeyA).Status);
    }

    [Fact]
    public void Should_ComputeOpenSshsFingerprint_When_GivenAKeyBlob()
    {
        // Then the type comes from the blob, and the fingerprint is SHA256 in unpadded base64, as ssh-keygen -l prints
        Assert.Equal("ssh-ed25519", KnownHosts.KeyType(KeyA));
        Assert.Equal("SHA256:" + Convert.ToBase64String(SHA256.HashData(KeyA)).TrimEnd('='), KnownHosts.Fingerprint(KeyA));
    }
}
