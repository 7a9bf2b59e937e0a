using Harness.Core.Control;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Harness.Provisioning.Ssh;

/// <summary>The keys a login offers, in ssh's order: the agent's (when <c>SSH_AUTH_SOCK</c> answers), then the key
/// files. A file encrypted with a passphrase is left to the agent, since the harness asks for no passphrase.</summary>
internal static class SshKeys
{
    /// <summary>The key sources and a description of them for error lines; throws <see cref="ProvisioningException"/>
    /// (one line with the fix) when there is none or a file cannot be used.</summary>
    public static (IReadOnlyList<IPrivateKeySource> Keys, string Description) Load(SshSettings settings, SshAgent? agent)
    {
        var keys = new List<IPrivateKeySource>();
        var described = new List<string>();
        var agentState = "no ssh-agent runs (SSH_AUTH_SOCK is unset)";
        if (agent is not null)
        {
            try
            {
                var identities = agent.Identities();
                keys.AddRange(identities.Select(i => new AgentKeySource(agent, i)));
                agentState = $"the agent at {agent.SocketPath} holds no key";
                if (identities.Count > 0)
                    described.Add($"the agent's key{(identities.Count > 1 ? "s" : "")} {string.Join(", ", identities.Select(i => i.Comment.Length > 0 ? i.Comment : i.KeyType))}");
            }
            catch (IOException e)
            {
                agentState = e.Message;
            }
        }
        var encrypted = new List<string>();
        foreach (var file in settings.KeyFiles)
        {
            try
            {
                keys.Add(new PrivateKeyFile(file));
                described.Add($"the key {file}");
            }
            catch (SshPassPhraseNullOrEmptyException)
            {
                encrypted.Add(file);
            }
            catch (Exception e) when (e is SshException or IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
            {
                throw new ProvisioningException($"cannot use the key {file} ({e.Message.TrimEnd('.')}); pass another one with --ssh-key, or load it into ssh-agent");
            }
        }
        if (encrypted.Count > 0)
            described.Add($"the key{(encrypted.Count > 1 ? "s" : "")} {string.Join(", ", encrypted)} (encrypted: only through the agent)");
        if (keys.Count > 0) return (keys, string.Join("; ", described));
        if (encrypted.Count > 0)
            throw new ProvisioningException($"the key {encrypted[0]} is encrypted and {agentState}; load it into an agent (eval \"$(ssh-agent)\"; ssh-add {encrypted[0]}) or pass an unencrypted key with --ssh-key");
        throw new ProvisioningException($"no SSH key: {agentState} and none of ~/.ssh/id_ed25519, id_ecdsa, id_rsa exists; pass --ssh-key FILE or load a key into ssh-agent (ssh-add)");
    }
}
