using System.Diagnostics;
using System.Text;
using Harness.Core.Control;
using Renci.SshNet;

namespace Harness.Provisioning.Ssh.Tests;

/// <summary>The ssh-agent client against a real OpenSSH ssh-agent (Debian's openssh-client) holding real keys.</summary>
public sealed class SshAgentTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("harness-agent-").FullName;
    private readonly Process _agent;
    private readonly string _socket;

    public SshAgentTests()
    {
        _socket = Path.Combine(_dir, "agent.sock");
        _agent = Process.Start(new ProcessStartInfo("ssh-agent", ["-D", "-a", _socket]) { RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new InvalidOperationException("cannot start ssh-agent");
        for (var i = 0; i < 100 && !File.Exists(_socket); i++) Thread.Sleep(20);
        Assert.True(File.Exists(_socket), "ssh-agent made no socket");
    }

    public void Dispose()
    {
        if (!_agent.HasExited) _agent.Kill();
        _agent.WaitForExit();
        _agent.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static void Run(string file, IEnumerable<string> args, string? agentSocket = null)
    {
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (agentSocket is not null) start.Environment["SSH_AUTH_SOCK"] = agentSocket;
        using var p = Process.Start(start)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)}: exit {p.ExitCode}: {err.Result}");
    }

    /// <summary>A new unencrypted key file of <paramref name="type"/>, with <paramref name="comment"/>.</summary>
    private string Key(string type, string comment, string? passphrase = null)
    {
        var file = Path.Combine(_dir, comment);
        Run("ssh-keygen", ["-q", "-t", type, "-N", passphrase ?? "", "-C", comment, "-f", file]);
        return file;
    }

    /// <summary>A copy of <paramref name="key"/> encrypted with a passphrase.</summary>
    private string Encrypted(string key)
    {
        var copy = key + "-encrypted";
        File.Copy(key, copy);
        Run("ssh-keygen", ["-q", "-p", "-P", "", "-N", "a passphrase", "-f", copy]);
        return copy;
    }

    [Fact]
    public void Should_ListEveryKey_When_TheAgentHoldsSeveral()
    {
        // Given an agent holding an ed25519, an RSA and an ECDSA key
        foreach (var (type, name) in new[] { ("ed25519", "key-ed"), ("rsa", "key-rsa"), ("ecdsa", "key-ec") })
            Run("ssh-add", ["-q", Key(type, name)], _socket);

        // Then the client lists the three, with their types and comments
        var identities = new SshAgent(_socket).Identities();
        Assert.Equal(["key-ed ssh-ed25519", "key-rsa ssh-rsa", "key-ec ecdsa-sha2-nistp256"], identities.Select(i => $"{i.Comment} {i.KeyType}"));
    }

    [Theory]
    [InlineData("ed25519", "ssh-ed25519")]
    [InlineData("rsa", "rsa-sha2-512")]
    [InlineData("rsa", "rsa-sha2-256")]
    [InlineData("ecdsa", "ecdsa-sha2-nistp256")]
    public void Should_SignAsTheKeyFileWould_When_TheAgentSigns(string type, string algorithm)
    {
        // Given a key in the agent
        var file = Key(type, "signer");
        Run("ssh-add", ["-q", file], _socket);
        var agent = new SshAgent(_socket);
        var source = new AgentKeySource(agent, Assert.Single(agent.Identities()));

        // When the agent signs some data with the given algorithm
        var signer = Assert.Single(source.HostKeyAlgorithms, a => a.Name == algorithm);
        var data = Encoding.UTF8.GetBytes("session id and user auth request");
        var signature = signer.Sign(data);

        // Then SSH.NET's own algorithm of the key file accepts the signature for that data and refuses it for other data,
        // and the public key blob is the file's
        var own = Assert.Single(new PrivateKeyFile(file).HostKeyAlgorithms, a => a.Name == algorithm);
        Assert.True(own.VerifySignature(data, signature));
        Assert.False(own.VerifySignature(Encoding.UTF8.GetBytes("other data"), signature));
        Assert.Equal(own.Data, signer.Data);
    }

    [Fact]
    public void Should_OfferOnlySha2_When_TheKeyIsRsa()
    {
        // OpenSSH 8.8+ refuses ssh-rsa (SHA-1) signatures by default (release notes of 8.8), so an RSA key offers SHA-2 only
        Run("ssh-add", ["-q", Key("rsa", "rsa")], _socket);
        var agent = new SshAgent(_socket);
        Assert.Equal(["rsa-sha2-512", "rsa-sha2-256"], new AgentKeySource(agent, Assert.Single(agent.Identities())).HostKeyAlgorithms.Select(a => a.Name));
    }

    [Fact]
    public void Should_LeaveAnEncryptedKeyToTheAgent_When_TheAgentHoldsKeys()
    {
        // Given an encrypted key file whose key is in the agent
        var key = Key("ed25519", "mine");
        var encrypted = Encrypted(key);
        Run("ssh-add", ["-q", key], _socket);

        // Then the login offers the agent's key, and says that the file is for the agent only
        var (keys, description) = SshKeys.Load(new SshSettings { KeyFiles = [encrypted] }, new SshAgent(_socket));
        Assert.IsType<AgentKeySource>(Assert.Single(keys));
        Assert.Contains("the agent's key mine", description);
        Assert.Contains($"{encrypted} (encrypted: only through the agent)", description);
    }

    [Fact]
    public void Should_SayHowToUseAnEncryptedKey_When_NoAgentRuns()
    {
        // Given an encrypted key and no agent
        var encrypted = Encrypted(Key("ed25519", "mine"));

        // Then one line says so and how to load it into an agent
        var e = Assert.Throws<ProvisioningException>(() => SshKeys.Load(new SshSettings { KeyFiles = [encrypted] }, agent: null));
        Assert.Equal($"the key {encrypted} is encrypted and no ssh-agent runs (SSH_AUTH_SOCK is unset); load it into an agent (eval \"$(ssh-agent)\"; ssh-add {encrypted}) or pass an unencrypted key with --ssh-key", e.Message);
    }

    [Fact]
    public void Should_NameTheDeadAgent_When_SshAuthSockPointsNowhere()
    {
        // Given SSH_AUTH_SOCK naming a socket nobody listens on, and no key file
        var gone = Path.Combine(_dir, "gone.sock");

        // Then the line names the socket and the fix
        var e = Assert.Throws<ProvisioningException>(() => SshKeys.Load(new SshSettings { KeyFiles = [] }, new SshAgent(gone)));
        Assert.StartsWith($"no SSH key: no ssh-agent answers at {gone} (", e.Message);
        Assert.EndsWith("none of ~/.ssh/id_ed25519, id_ecdsa, id_rsa exists; pass --ssh-key FILE or load a key into ssh-agent (ssh-add)", e.Message);
    }

    [Fact]
    public void Should_OfferTheAgentFirst_When_ThereAreAlsoKeyFiles()
    {
        // ssh offers the agent's keys before the identity files (ssh(1), -i): so does the harness
        Run("ssh-add", ["-q", Key("ed25519", "agent-key")], _socket);
        var file = Key("ed25519", "file-key");
        var (keys, _) = SshKeys.Load(new SshSettings { KeyFiles = [file] }, new SshAgent(_socket));
        Assert.Collection(keys, k => Assert.IsType<AgentKeySource>(k), k => Assert.IsType<PrivateKeyFile>(k));
    }
}
