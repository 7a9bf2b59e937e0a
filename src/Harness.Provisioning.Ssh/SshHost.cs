using System.Net;
using System.Net.Sockets;
using System.Text;
using Harness.Core.Control;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Harness.Provisioning.Ssh;

/// <summary>
/// One SSH connection to one host, kept for the whole run and shared by every command (each an exec channel on it),
/// and one SFTP session on the same host for files. Every command is an argument vector quoted by
/// <see cref="ShellQuoting"/>, run through <c>sudo -n</c> when <see cref="SshSettings.Sudo"/> is set.
/// </summary>
internal sealed class SshHost : IAsyncDisposable
{
    private readonly SshClient _ssh;
    private readonly ConnectionInfo _info;
    private readonly SemaphoreSlim _sftpGate = new(1, 1);
    private SftpClient? _sftp;

    private readonly KnownHosts _known;
    private string _keysDescribed = "";

    private SshHost(SshTarget target, string address, SshSettings settings, ConnectionInfo info, KnownHosts known)
    {
        _known = known;
        Target = target;
        Address = address;
        Settings = settings;
        _info = info;
        // keepalives, so an idle connection through a NAT or firewall is not dropped during a long run
        _ssh = new SshClient(info) { KeepAliveInterval = TimeSpan.FromSeconds(15) };
    }

    public SshTarget Target { get; }

    /// <summary>The host's address as resolved on the controller (the node's address).</summary>
    public string Address { get; }

    public SshSettings Settings { get; }

    /// <summary>The controller's address as the host sees it (from $SSH_CLIENT), once connected.</summary>
    public string? ControllerAddress { get; private set; }

    /// <summary>The host key's verdict, for the warning when checking is off.</summary>
    public HostKeyVerdict? HostKey { get; private set; }

    public string HostKeyFingerprint { get; private set; } = "";

    /// <summary>Resolves, connects, checks the host key and logs in; throws <see cref="ProvisioningException"/>
    /// with one line naming the host and the fix.</summary>
    public static async Task<SshHost> ConnectAsync(SshTarget target, SshSettings settings, KnownHosts known, TimeSpan timeout, CancellationToken ct)
    {
        string address;
        try
        {
            var addresses = IPAddress.TryParse(target.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(target.Host, ct);
            address = (addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault())?.ToString()
                ?? throw new ProvisioningException($"cannot resolve {target.Host}; check the name in --node / --nodes-file");
        }
        catch (SocketException e)
        {
            throw new ProvisioningException($"cannot resolve {target.Host} ({e.Message}); check the name in --node / --nodes-file");
        }
        var (keys, keysDescribed) = SshKeys.Load(settings, settings.AgentSocket is { Length: > 0 } socket ? new SshAgent(socket) : null);
        var info = new ConnectionInfo(address, target.Port, settings.User, new PrivateKeyAuthenticationMethod(settings.User, [.. keys]))
        {
            Timeout = timeout,
            MaxSessions = 32,
        };
        // Ask for a host key of a type known_hosts has for this host (as ssh does), so a host with several keys is checkable.
        var types = known.TypesFor(target);
        if (settings.StrictHostKeyChecking && types.Count > 0)
            foreach (var algorithm in info.HostKeyAlgorithms.Keys.ToList())
                if (!types.Contains(BaseType(algorithm)))
                    info.HostKeyAlgorithms.Remove(algorithm);
        var host = new SshHost(target, address, settings, info, known) { _keysDescribed = keysDescribed };
        host.Verify(host._ssh);
        try
        {
            await host._ssh.ConnectAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            host._ssh.Dispose();
            throw host.Explain(e, known);
        }
        var whoami = await host.ExecAsync(["sh", "-c", "echo \"$SSH_CLIENT\""], ct, sudo: false);
        host.ControllerAddress = whoami.Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return host;
    }

    /// <summary>Checks every host key the client is offered against known_hosts (the SSH and the SFTP connection).</summary>
    private void Verify(BaseClient client) => client.HostKeyReceived += (_, e) =>
    {
        HostKeyFingerprint = $"{KnownHosts.KeyType(e.HostKey)} {KnownHosts.Fingerprint(e.HostKey)}";
        HostKey = _known.Check(Target, e.HostKey);
        e.CanTrust = !Settings.StrictHostKeyChecking || HostKey.Status == HostKeyStatus.Known;
    };

    private ProvisioningException Explain(Exception e, KnownHosts known)
    {
        var files = known.Files.Count == 0 ? "known_hosts" : string.Join(", ", known.Files);
        if (Settings.StrictHostKeyChecking && HostKey is { } verdict && verdict.Status != HostKeyStatus.Known)
            return new ProvisioningException(verdict.Status switch
            {
                HostKeyStatus.Changed => $"{Target}: the host key ({HostKeyFingerprint}) differs from the one in {verdict.Where}: possible man-in-the-middle; if the host was reinstalled, remove the old key (ssh-keygen -R '{Target.KnownHostsName}') and add the new one",
                HostKeyStatus.Revoked => $"{Target}: the host key ({HostKeyFingerprint}) is revoked in {verdict.Where}; refusing to connect",
                _ => $"{Target}: unknown host key ({HostKeyFingerprint}), not in {files}; check it and add it (ssh-keyscan -p {Target.Port} {Target.Host} >> ~/.ssh/known_hosts), pass --ssh-known-hosts FILE, or --ssh-strict-host-key-checking no",
            });
        return e switch
        {
            SshAuthenticationException => new ProvisioningException($"{Target}: user {Settings.User} was refused with {_keysDescribed} ({e.Message.TrimEnd('.')}); add the public key to ~{Settings.User}/.ssh/authorized_keys there, or pass --ssh-key / --ssh-user"),
            SocketException s => new ProvisioningException($"{Target}: cannot connect to {Address} port {Target.Port} ({s.Message}); check that the host is up, sshd listens there, and --node / --ssh-port"),
            SshOperationTimeoutException => new ProvisioningException($"{Target}: no SSH answer from {Address} port {Target.Port} within {_info.Timeout.TotalSeconds:0} s; check that the host is up and reachable, and --node / --ssh-port"),
            OperationCanceledException => new ProvisioningException($"{Target}: no SSH answer from {Address} port {Target.Port} in time; check that the host is up and reachable"),
            _ => new ProvisioningException($"{Target}: SSH connection failed ({e.GetType().Name}: {e.Message.TrimEnd('.')}); check the host, --ssh-port and --ssh-user"),
        };
    }

    /// <summary>The key type an SSH.NET host key algorithm name asks for (rsa-sha2-512 -> ssh-rsa, certificates -> their key type).</summary>
    private static string BaseType(string algorithm)
    {
        var a = algorithm.Replace("-cert-v01@openssh.com", "", StringComparison.Ordinal);
        return a is "rsa-sha2-512" or "rsa-sha2-256" ? "ssh-rsa" : a;
    }

    /// <summary>The argv that runs <paramref name="argv"/> with the run's privileges (<c>sudo -n --</c> when set).</summary>
    public IReadOnlyList<string> Privileged(IReadOnlyList<string> argv) => Settings.Sudo ? ["sudo", "-n", "--", .. argv] : argv;

    /// <summary>Runs a command to completion; never throws for a non-zero exit (a signal is 128 + its number, a
    /// lost channel 255).</summary>
    public async Task<CommandResult> ExecAsync(IReadOnlyList<string> argv, CancellationToken ct, string? stdin = null, bool sudo = true)
    {
        // Without input, stdin is /dev/null: SSH.NET sends no EOF for an input stream nothing was written to, so a
        // command reading an empty stdin (cat > file, for an empty file under sudo) would wait for ever.
        var line = ShellQuoting.Join(sudo ? Privileged(argv) : argv);
        using var command = _ssh.CreateCommand(string.IsNullOrEmpty(stdin) ? line + " </dev/null" : line);
        var run = command.ExecuteAsync(ct);
        if (!string.IsNullOrEmpty(stdin))
            await using (var input = command.CreateInputStream())
                await input.WriteAsync(Encoding.UTF8.GetBytes(stdin), ct);
        await run;
        return new CommandResult(ExitCode(command), command.Result, command.Error);
    }

    /// <summary>Starts a command whose channel stays open (a server's supervisor); the caller awaits the task.</summary>
    public (SshCommand Command, Task Run) Start(IReadOnlyList<string> argv, CancellationToken ct)
    {
        var command = _ssh.CreateCommand(ShellQuoting.Join(Privileged(argv)));
        return (command, command.ExecuteAsync(ct));
    }

    public static int ExitCode(SshCommand command) => command.ExitStatus ?? (command.ExitSignal switch
    {
        "KILL" => 137,
        "TERM" => 143,
        "INT" => 130,
        "HUP" => 129,
        _ => 255,
    });

    /// <summary>The host's SFTP session (opened on first use), for files the login user may touch (root, no sudo).</summary>
    public async Task<SftpClient> SftpAsync(CancellationToken ct)
    {
        await _sftpGate.WaitAsync(ct);
        try
        {
            if (_sftp is { IsConnected: true }) return _sftp;
            _sftp?.Dispose();
            _sftp = new SftpClient(_info);
            Verify(_sftp);
            await _sftp.ConnectAsync(ct);
            return _sftp;
        }
        finally
        {
            _sftpGate.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        _sftp?.Dispose();
        _ssh.Dispose();
        _sftpGate.Dispose();
        return ValueTask.CompletedTask;
    }
}
