using System.Collections.Immutable;
using Harness.Core;
using Harness.Core.Control;
using Harness.Core.Running;
using Harness.Core.Runs;

namespace Harness.Provisioning.Ssh;

/// <summary><c>--provisioner ssh</c>: nodes are hosts the user names (Jepsen's usual mode), reached over SSH.</summary>
public sealed class SshProvisionerKind : IProvisionerKind
{
    public const string KindName = "ssh";

    public static readonly TextOption Node = new("node", "a host to use as a node (repeat for each: --node a --node b:2222)", "HOST[:PORT]", repeatable: true,
        check: h => SshTarget.TryParse(h, 22, out var problem) is null ? problem : null);

    public static readonly TextOption NodesFile = new("nodes-file", "a file naming the hosts, one a line (# comments)", "FILE",
        check: f => File.Exists(f) ? null : "no such file");

    public static readonly TextOption User = new("ssh-user", "the user to log in as", "USER", "root",
        check: u => u.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') && !u.StartsWith('-') ? null : "not a user name");

    public static readonly TextOption Key = new("ssh-key", "the private key (default: ~/.ssh/id_ed25519, id_ecdsa, id_rsa that exist; the keys of ssh-agent, $SSH_AUTH_SOCK, are always offered first; an encrypted key only through the agent)", "FILE",
        check: f => File.Exists(f) ? null : "no such file");

    public static readonly IntegerOption Port = new("ssh-port", "the SSH port of hosts named without one", 22, 1, 65535);

    public static readonly SwitchOption Sudo = new("sudo", "run every command on the hosts through sudo -n (the user is not root)");

    public static readonly ChoiceOption StrictHostKeyChecking = new("ssh-strict-host-key-checking",
        "check host keys against known_hosts (no: accept any key, with a warning)", "yes", "yes", "no");

    public static readonly TextOption KnownHostsFile = new("ssh-known-hosts", "the known_hosts file to check host keys against (default: ~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts)", "FILE",
        check: f => File.Exists(f) ? null : "no such file");

    public string Name => KindName;

    public string Description => "hosts you name (--node / --nodes-file), over SSH: packages, servers, iptables faults on the hosts themselves";

    public ImmutableArray<SuiteOption> Options => [Node, NodesFile, User, Key, Port, Sudo, StrictHostKeyChecking, KnownHostsFile];

    public int? ImpliedNodeCount(TestOptions options) => Targets(options).Count;

    public TestOptions Resolve(TestOptions options)
    {
        var targets = Targets(options);
        var dup = targets.GroupBy(t => t.ToString(), StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new UserErrorException($"--provisioner ssh: {dup.Key} is named twice; name each host once");
        return options;
    }

    /// <summary>The hosts the options name; throws <see cref="UserErrorException"/> (one line) when neither or both
    /// of --node and --nodes-file are given, the file cannot be read, or a host is not HOST[:PORT].</summary>
    public static IReadOnlyList<SshTarget> Targets(TestOptions options)
    {
        var nodes = Node.AllOf(options);
        var file = NodesFile.Of(options);
        if (nodes.Length == 0 && file.Length == 0)
            throw new UserErrorException("--provisioner ssh needs the hosts: --node HOST[:PORT] (repeated) or --nodes-file FILE");
        if (nodes.Length > 0 && file.Length > 0)
            throw new UserErrorException("--provisioner ssh: give the hosts with --node or with --nodes-file, not both");
        IReadOnlyList<string> hosts;
        if (file.Length > 0)
        {
            try { hosts = SshTarget.ReadNodesFile(file); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UserErrorException($"--nodes-file {file}: cannot read it ({e.Message})");
            }
            if (hosts.Count == 0) throw new UserErrorException($"--nodes-file {file} names no host (one a line; # starts a comment)");
        }
        else hosts = nodes;
        var port = Port.Of(options);
        var targets = new List<SshTarget>();
        foreach (var h in hosts)
            targets.Add(SshTarget.TryParse(h, port, out var problem) ?? throw new UserErrorException($"--provisioner ssh: bad host '{h}': {problem}"));
        return targets;
    }

    /// <summary>The login settings the options give.</summary>
    public static SshSettings Settings(TestOptions options)
    {
        var key = Key.Of(options);
        var known = KnownHostsFile.Of(options);
        return new SshSettings
        {
            User = User.Of(options),
            KeyFiles = key.Length > 0 ? [Path.GetFullPath(key)] : SshSettings.DefaultKeyFiles,
            AgentSocket = SshSettings.CurrentAgentSocket,
            Sudo = Sudo.Of(options),
            StrictHostKeyChecking = StrictHostKeyChecking.Of(options) == "yes",
            KnownHostsFiles = known.Length > 0 ? [Path.GetFullPath(known)] : KnownHosts.DefaultFiles,
        };
    }

    public IProvisioner Create(TestOptions options, TextWriter? status) => new SshProvisioner(Targets(options), Settings(options), status);

    public IProvisioner ForCleanup(TextWriter? status) => new SshProvisioner([], new SshSettings(), status);
}
