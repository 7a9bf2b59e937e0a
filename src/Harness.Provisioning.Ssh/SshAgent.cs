using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Renci.SshNet;
using Renci.SshNet.Security;

namespace Harness.Provisioning.Ssh;

/// <summary>
/// A client of the user's ssh-agent (the protocol of draft-miller-ssh-agent: list identities, sign), which SSH.NET
/// lacks. It lets keys that live only in the agent (encrypted on disk, forwarded, on a token) log in, as ssh does.
/// One short connection to <c>$SSH_AUTH_SOCK</c> per request.
/// </summary>
internal sealed class SshAgent(string socketPath)
{
    private const byte FailureReply = 5;
    private const byte RequestIdentities = 11;
    private const byte IdentitiesAnswer = 12;
    private const byte SignRequest = 13;
    private const byte SignResponse = 14;
    private const int MaxReply = 256 * 1024;

    public string SocketPath { get; } = socketPath;

    /// <summary>The keys the agent holds; throws <see cref="IOException"/> when it does not answer.</summary>
    public IReadOnlyList<AgentIdentity> Identities()
    {
        var reply = Request([RequestIdentities]);
        if (reply[0] != IdentitiesAnswer) throw new IOException($"the agent at {SocketPath} refused to list its keys");
        var reader = new WireReader(reply, 1);
        var count = reader.UInt32();
        var identities = new List<AgentIdentity>();
        for (var i = 0u; i < count; i++)
            identities.Add(new AgentIdentity(reader.Bytes(), Encoding.UTF8.GetString(reader.Bytes())));
        return identities;
    }

    /// <summary>The agent's signature of <paramref name="data"/> with the key <paramref name="keyBlob"/>: the SSH
    /// signature blob (string algorithm, string signature), as SSH.NET's own key algorithms return it.</summary>
    public byte[] Sign(byte[] keyBlob, byte[] data, uint flags)
    {
        var message = new MemoryStream();
        message.WriteByte(SignRequest);
        WireWriter.Bytes(message, keyBlob);
        WireWriter.Bytes(message, data);
        WireWriter.UInt32(message, flags);
        var reply = Request(message.ToArray());
        if (reply[0] == FailureReply) throw new IOException($"the agent at {SocketPath} refused to sign (is the key still loaded? is it confirm-only?)");
        if (reply[0] != SignResponse) throw new IOException($"the agent at {SocketPath} answered a sign request with message {reply[0]}");
        return new WireReader(reply, 1).Bytes();
    }

    private byte[] Request(byte[] message)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
        {
            ReceiveTimeout = 30_000, // a confirm-only key waits for the user
            SendTimeout = 10_000,
        };
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(SocketPath));
        }
        catch (SocketException e)
        {
            throw new IOException($"no ssh-agent answers at {SocketPath} ({e.Message})", e);
        }
        using var stream = new NetworkStream(socket, ownsSocket: false);
        var framed = new byte[4 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed, (uint)message.Length);
        message.CopyTo(framed, 4);
        stream.Write(framed);
        var header = new byte[4];
        stream.ReadExactly(header);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length is 0 or > MaxReply) throw new IOException($"the agent at {SocketPath} sent a reply of {length} bytes");
        var reply = new byte[length];
        stream.ReadExactly(reply);
        return reply;
    }

    /// <summary>SSH wire strings and integers (RFC 4251 §5) in a reply.</summary>
    private sealed class WireReader(byte[] data, int offset)
    {
        private int _at = offset;

        public uint UInt32()
        {
            if (_at + 4 > data.Length) throw new IOException("the agent sent a truncated reply");
            var value = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(_at));
            _at += 4;
            return value;
        }

        public byte[] Bytes()
        {
            var length = UInt32();
            if (length > data.Length - _at) throw new IOException("the agent sent a truncated reply");
            var value = data.AsSpan(_at, (int)length).ToArray();
            _at += (int)length;
            return value;
        }
    }

    private static class WireWriter
    {
        public static void UInt32(Stream s, uint value)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(b, value);
            s.Write(b);
        }

        public static void Bytes(Stream s, byte[] value)
        {
            UInt32(s, (uint)value.Length);
            s.Write(value);
        }
    }
}

/// <summary>One key an agent holds: its public key blob and its comment.</summary>
internal sealed record AgentIdentity(byte[] Blob, string Comment)
{
    /// <summary>The key type, the first string of the blob (ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, ...).</summary>
    public string KeyType
    {
        get
        {
            if (Blob.Length < 4) return "";
            var length = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(Blob), (uint)(Blob.Length - 4));
            return Encoding.ASCII.GetString(Blob, 4, length);
        }
    }
}

/// <summary>An agent's key as SSH.NET's key source: it signs through the agent. RSA keys offer the SHA-2 signature
/// algorithms (the agent's flags 4 and 2), since OpenSSH 8.8 and later refuse ssh-rsa (SHA-1) signatures.</summary>
internal sealed class AgentKeySource(SshAgent agent, AgentIdentity identity) : IPrivateKeySource
{
    private const uint RsaSha2_256 = 2;
    private const uint RsaSha2_512 = 4;

    public AgentIdentity Identity { get; } = identity;

    public IReadOnlyCollection<HostAlgorithm> HostKeyAlgorithms { get; } = identity.KeyType == "ssh-rsa"
        ? [new AgentAlgorithm("rsa-sha2-512", agent, identity, RsaSha2_512), new AgentAlgorithm("rsa-sha2-256", agent, identity, RsaSha2_256)]
        : [new AgentAlgorithm(identity.KeyType, agent, identity, 0)];

    private sealed class AgentAlgorithm(string name, SshAgent agent, AgentIdentity identity, uint flags) : HostAlgorithm(name)
    {
        public override byte[] Data => identity.Blob;

        public override byte[] Sign(byte[] data) => agent.Sign(identity.Blob, data, flags);

        public override bool VerifySignature(byte[] data, byte[] signature) =>
            throw new NotSupportedException("an agent's key signs; it does not verify");
    }
}
