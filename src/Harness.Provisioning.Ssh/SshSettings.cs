using System.Text.Json;

namespace Harness.Provisioning.Ssh;

/// <summary>How to log in to every host: user, keys, sudo, host key checking. Kept in the run's marker (no secret:
/// key paths only), so <c>harness cleanup</c> logs in the same way.</summary>
public sealed record SshSettings
{
    public string User { get; init; } = "root";

    /// <summary>Private key files, tried in order.</summary>
    public IReadOnlyList<string> KeyFiles { get; init; } = [];

    /// <summary>The ssh-agent socket whose keys are offered first (<c>$SSH_AUTH_SOCK</c> when the run starts; null: none).</summary>
    public string? AgentSocket { get; init; }

    /// <summary>This process's <c>$SSH_AUTH_SOCK</c>, or null.</summary>
    public static string? CurrentAgentSocket => Environment.GetEnvironmentVariable("SSH_AUTH_SOCK") is { Length: > 0 } socket ? socket : null;

    /// <summary>Every command through <c>sudo -n</c> (the user is not root).</summary>
    public bool Sudo { get; init; }

    /// <summary>Host keys checked against <see cref="KnownHostsFiles"/> (false: any key accepted, with a warning).</summary>
    public bool StrictHostKeyChecking { get; init; } = true;

    public IReadOnlyList<string> KnownHostsFiles { get; init; } = KnownHosts.DefaultFiles;

    /// <summary>The key files ssh would try by default (the agent's keys come first, see <see cref="SshKeys"/>): ~/.ssh/id_ed25519, id_ecdsa, id_rsa that exist.</summary>
    public static IReadOnlyList<string> DefaultKeyFiles
    {
        get
        {
            var ssh = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".ssh");
            return [.. DefaultKeyNames.Select(k => Path.Combine(ssh, k)).Where(File.Exists)];
        }
    }

    private static readonly string[] DefaultKeyNames = ["id_ed25519", "id_ecdsa", "id_rsa"];

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static SshSettings? FromJson(string json)
    {
        try { return JsonSerializer.Deserialize<SshSettings>(json, JsonOptions); }
        catch (JsonException) { return null; }
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
