using System.Security.Cryptography;
using System.Text;

namespace Harness.Provisioning.Ssh;

/// <summary>
/// OpenSSH known_hosts files, read the way ssh reads them: <c>names keytype base64-key [comment]</c>, names a
/// comma-separated list of patterns (<c>host</c>, <c>[host]:port</c>, <c>*</c>/<c>?</c> wildcards, <c>!negated</c>)
/// or one hashed name <c>|1|salt|hmac-sha1</c>; <c>@revoked</c> lines revoke a key; <c>@cert-authority</c> lines
/// are not supported (skipped).
/// </summary>
public sealed class KnownHosts
{
    private readonly List<Entry> _entries = [];

    private KnownHosts(IReadOnlyList<string> files) => Files = files;

    /// <summary>The files read (those that exist).</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>The user's ~/.ssh/known_hosts and the system's /etc/ssh/ssh_known_hosts (ssh's defaults).</summary>
    public static IReadOnlyList<string> DefaultFiles =>
        [Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".ssh", "known_hosts"), "/etc/ssh/ssh_known_hosts"];

    public static KnownHosts Load(IReadOnlyList<string> files)
    {
        var existing = files.Where(File.Exists).ToList();
        var known = new KnownHosts(files);
        foreach (var file in existing)
        {
            var n = 0;
            foreach (var raw in File.ReadLines(file))
            {
                n++;
                var line = raw.Trim();
                if (line.Length == 0 || line.StartsWith('#')) continue;
                var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                var revoked = false;
                if (fields[0].StartsWith('@'))
                {
                    if (fields[0] == "@revoked") revoked = true;
                    else continue;
                    fields = fields[1..];
                }
                if (fields.Length < 3) continue;
                byte[] key;
                try { key = Convert.FromBase64String(fields[2]); }
                catch (FormatException) { continue; }
                known._entries.Add(new Entry(fields[0], fields[1], key, revoked, $"{file}:{n}"));
            }
        }
        return known;
    }

    /// <summary>What the files say about a key a host presented.</summary>
    public HostKeyVerdict Check(SshTarget target, byte[] key)
    {
        var entries = _entries.Where(e => Matches(e.Names, target)).ToList();
        if (entries.Any(e => e.Revoked && e.Key.AsSpan().SequenceEqual(key))) return new HostKeyVerdict(HostKeyStatus.Revoked, entries.First(e => e.Revoked).Where);
        if (entries.FirstOrDefault(e => !e.Revoked && e.Key.AsSpan().SequenceEqual(key)) is { } match) return new HostKeyVerdict(HostKeyStatus.Known, match.Where);
        var type = KeyType(key);
        if (entries.FirstOrDefault(e => !e.Revoked && e.Type == type) is { } other) return new HostKeyVerdict(HostKeyStatus.Changed, other.Where);
        return new HostKeyVerdict(HostKeyStatus.Unknown, null);
    }

    /// <summary>The key types recorded for a host (so the client asks for a key it can check, as ssh does).</summary>
    public IReadOnlySet<string> TypesFor(SshTarget target) =>
        _entries.Where(e => !e.Revoked && Matches(e.Names, target)).Select(e => e.Type).ToHashSet(StringComparer.Ordinal);

    /// <summary>The key type inside an SSH public key blob (its first string).</summary>
    public static string KeyType(byte[] blob)
    {
        if (blob.Length < 4) return "";
        var len = (blob[0] << 24) | (blob[1] << 16) | (blob[2] << 8) | blob[3];
        return len < 0 || len > blob.Length - 4 ? "" : Encoding.ASCII.GetString(blob, 4, len);
    }

    /// <summary>ssh's fingerprint: SHA256:base64 without padding.</summary>
    public static string Fingerprint(byte[] blob) => "SHA256:" + Convert.ToBase64String(SHA256.HashData(blob)).TrimEnd('=');

    private static bool Matches(string names, SshTarget target)
    {
        var name = target.KnownHostsName;
        if (names.StartsWith("|1|", StringComparison.Ordinal))
        {
            var parts = names.Split('|');
            if (parts.Length != 4) return false;
            try
            {
                var salt = Convert.FromBase64String(parts[2]);
                var hash = Convert.FromBase64String(parts[3]);
#pragma warning disable CA5350 // OpenSSH's hashed known_hosts names are HMAC-SHA1 by definition (a lookup, not a signature)
                return HMACSHA1.HashData(salt, Encoding.ASCII.GetBytes(name)).AsSpan().SequenceEqual(hash);
#pragma warning restore CA5350
            }
            catch (FormatException) { return false; }
        }
        var matched = false;
        foreach (var pattern in names.Split(','))
        {
            var negated = pattern.StartsWith('!');
            if (!Glob(negated ? pattern[1..] : pattern, name)) continue;
            if (negated) return false;
            matched = true;
        }
        return matched;
    }

    private static bool Glob(string pattern, string s)
    {
        if (pattern.Length == 0) return s.Length == 0;
        if (pattern[0] == '*') return Enumerable.Range(0, s.Length + 1).Any(i => Glob(pattern[1..], s[i..]));
        return s.Length > 0 && (pattern[0] == '?' || char.ToLowerInvariant(pattern[0]) == char.ToLowerInvariant(s[0])) && Glob(pattern[1..], s[1..]);
    }

    private sealed record Entry(string Names, string Type, byte[] Key, bool Revoked, string Where);
}

public enum HostKeyStatus
{
    Known,
    Unknown,
    Changed,
    Revoked,
}

/// <summary>The verdict on a host key, and the known_hosts line (file:line) it rests on.</summary>
public sealed record HostKeyVerdict(HostKeyStatus Status, string? Where);
