using System.Globalization;

namespace Harness.Provisioning.Ssh;

/// <summary>A host as the user named it (<c>HOST</c>, <c>HOST:PORT</c>, <c>[IPv6]:PORT</c>), and the port to use.</summary>
public sealed record SshTarget(string Host, int Port)
{
    /// <summary>As OpenSSH writes it in known_hosts: <c>host</c> on port 22, else <c>[host]:port</c>.</summary>
    public string KnownHostsName => Port == 22 ? Host : $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}";

    public override string ToString() => Port == 22 ? Host : $"{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Parses one host; null with <paramref name="problem"/> set when it is not a host name or address.</summary>
    public static SshTarget? TryParse(string text, int defaultPort, out string? problem)
    {
        problem = null;
        var s = text.Trim();
        string host;
        var port = defaultPort;
        if (s.StartsWith('['))
        {
            var close = s.IndexOf(']', StringComparison.Ordinal);
            if (close < 0) { problem = "an IPv6 address needs a closing ']'"; return null; }
            host = s[1..close];
            var rest = s[(close + 1)..];
            if (rest.Length > 0 && (!rest.StartsWith(':') || !TryPort(rest[1..], out port))) { problem = "expected [ADDRESS]:PORT"; return null; }
        }
        else if (s.Count(c => c == ':') == 1)
        {
            var colon = s.IndexOf(':', StringComparison.Ordinal);
            host = s[..colon];
            if (!TryPort(s[(colon + 1)..], out port)) { problem = "the port must be a number from 1 to 65535"; return null; }
        }
        else host = s; // a plain name, or a bare IPv6 address (port: the default)
        if (host.Length == 0) { problem = "empty host name"; return null; }
        if (host.Length > 253 || host.StartsWith('-') || !host.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or ':' or '_' or '%'))
        {
            problem = "not a host name or IP address";
            return null;
        }
        return new SshTarget(host, port);
    }

    private static bool TryPort(string s, out int port) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;

    /// <summary>The hosts of a nodes file: one a line, blank lines and <c>#</c> comments ignored (as Jepsen's --nodes-file).</summary>
    public static IReadOnlyList<string> ReadNodesFile(string path) =>
        [.. File.ReadAllLines(path).Select(l => (l.IndexOf('#', StringComparison.Ordinal) is var hash and >= 0 ? l[..hash] : l).Trim()).Where(l => l.Length > 0)];
}
