using System.Collections.Immutable;
using System.Globalization;
using Harness.Core.Control;

namespace Harness.Provisioning.Ssh;

/// <summary>
/// What an SSH run records in its <see cref="RunMarker"/> (each resource with the <see cref="RunResource.Host"/> it is
/// on), and how <c>harness cleanup</c> removes what a dead run left on the hosts: it logs in as the run did (the
/// settings are in the marker: user, key paths, sudo, known_hosts; never a secret), kills the recorded servers
/// (only while their start time matches) with their descendants, removes the System V segments their lock files
/// name, the HARNESS chain, and the run directory.
/// </summary>
internal static class SshLeftovers
{
    public const string Provisioner = "ssh";

    /// <summary>How to log in (JSON of <see cref="SshSettings"/>).</summary>
    public const string Settings = "ssh-settings";

    /// <summary>A host of the run: name = host[:port] as given, Host = its address.</summary>
    public const string SshHostKind = "ssh-host";

    public const string Directory = "directory";

    public const string Iptables = "iptables";

    /// <summary>The run directory bases; a directory is removed only when it has this shape (a damaged marker
    /// never removes anything else).</summary>
    public static readonly ImmutableArray<string> Bases = ["/dev/shm/harness-run", "/var/tmp/harness-run"];

    public static IEnumerable<RunResource> Describe(SshSettings settings, IEnumerable<(SshTarget Target, string Address)> hosts, string runRoot)
    {
        yield return new RunResource(Settings, settings.ToJson());
        foreach (var (target, address) in hosts)
        {
            yield return new RunResource(SshHostKind, target.ToString()) { Host = address };
            yield return new RunResource(Directory, runRoot) { Host = address };
            yield return new RunResource(Iptables, IptablesNetwork.Chain) { Host = address };
        }
    }

    /// <summary>Removes, on one host, the System V segments named by PostgreSQL lock files in the run directory
    /// (when nothing is attached), the chain <c>$1</c> (if given) and the run directory <c>$0</c>. Exit 0 when
    /// the directory is gone.</summary>
    public const string RemoveScript = """
        d=$0; chain=$1
        case "$d" in *..*) exit 2;; /dev/shm/harness-run/?*|/var/tmp/harness-run/?*) ;; *) echo "refusing to remove $d" >&2; exit 2;; esac
        if [ -d "$d" ]; then
          for f in $(find "$d" -maxdepth 5 -name postmaster.pid 2>/dev/null); do
            set -- $(sed -n 7p "$f"); [ $# -eq 2 ] || continue
            key=$(printf '0x%08x' "$1" 2>/dev/null); id=$2
            ipcs -m 2>/dev/null | awk -v id="$id" -v key="$key" '$2==id && $1==key && $6==0 {ok=1} END {exit !ok}' && ipcrm -m "$id"
          done
        fi
        if [ -n "$chain" ]; then
          while iptables -w 5 -D INPUT -j "$chain" 2>/dev/null; do :; done
          iptables -w 5 -F "$chain" 2>/dev/null; iptables -w 5 -X "$chain" 2>/dev/null
        fi
        rm -rf --one-file-system "$d"; rmdir "$(dirname "$d")" 2>/dev/null
        [ ! -e "$d" ]
        """;

    /// <summary>Kills the processes given as PID START pairs (each only while its start time matches) with all their
    /// descendants, and waits up to 5 s for them to be gone; prints the PIDs still there.</summary>
    public const string KillScript = """
        list() { for c in $(cat /proc/$1/task/*/children 2>/dev/null); do echo $c; list $c; done; }
        st() { sed 's/.*) //' /proc/$1/stat 2>/dev/null | cut -d' ' -f20; }
        all=""
        while [ $# -ge 2 ]; do
          if [ "$(st $1)" = "$2" ]; then all="$all $1 $(list $1)"; fi
          shift 2
        done
        [ -n "$all" ] || exit 0
        kill -KILL $all 2>/dev/null; kill -CONT $all 2>/dev/null
        i=0; while [ $i -lt 50 ]; do
          left=""; for p in $all; do [ -e /proc/$p ] && [ "$(sed 's/.*) //' /proc/$p/stat 2>/dev/null | cut -c1)" != Z ] && left="$left $p"; done
          [ -z "$left" ] && exit 0; sleep 0.1; i=$((i+1))
        done
        echo $left
        """;

    /// <summary>Prints, one a line, which of the given resources exist on the host: "dir", "chain", and each live PID.</summary>
    private const string FindScript = """
        d=$0; chain=$1; shift
        [ -e "$d" ] && echo dir
        iptables -w 5 -S "$chain" >/dev/null 2>&1 && echo chain
        while [ $# -ge 2 ]; do [ "$(sed 's/.*) //' /proc/$1/stat 2>/dev/null | cut -d' ' -f20)" = "$2" ] && echo "$1"; shift 2; done
        exit 0
        """;

    public static async Task<IReadOnlyList<RunResource>> FindAsync(RunMarker marker, CancellationToken ct)
    {
        var found = new List<RunResource>();
        await foreach (var (address, host, resources) in ConnectAllAsync(marker, ct))
        {
            if (host is null)
            {
                found.AddRange(resources); // unreachable now: count everything recorded there as still there
                continue;
            }
            await using (host)
            {
                var present = await ProbeAsync(host, resources, ct);
                found.AddRange(resources.Where(r => present.Contains(Key(r))));
            }
        }
        return found;
    }

    public static async Task<LeftoverRemoval> RemoveAsync(RunMarker marker, CancellationToken ct)
    {
        var removed = new List<RunResource>();
        var failures = new List<string>();
        await foreach (var (address, host, resources) in ConnectAllAsync(marker, ct))
        {
            if (host is null)
            {
                failures.Add($"{address}: cannot log in to remove {string.Join(", ", resources)}");
                continue;
            }
            await using (host)
            {
                var before = await ProbeAsync(host, resources, ct);
                var processes = resources.Where(r => r.Kind == RunResource.ProcessKind && before.Contains(Key(r))).ToList();
                if (processes.Count > 0)
                    await host.ExecAsync(["sh", "-c", KillScript, "harness-cleanup", .. processes.SelectMany(p => new[] { p.Name, (p.StartTime ?? 0).ToString(CultureInfo.InvariantCulture) })], ct);
                foreach (var dir in resources.Where(r => r.Kind == Directory).Select(r => r.Name).Distinct())
                {
                    var chain = before.Contains("chain") ? IptablesNetwork.Chain : "";
                    var result = await host.ExecAsync(["sh", "-c", RemoveScript, dir, chain], ct);
                    if (!result.Succeeded) failures.Add($"{address}: could not remove {dir}: {result.Stderr.Trim()}");
                }
                var after = await ProbeAsync(host, resources, ct);
                foreach (var r in resources.Where(r => before.Contains(Key(r))))
                    if (after.Contains(Key(r))) failures.Add($"{r} is still there");
                    else removed.Add(r);
            }
        }
        return new LeftoverRemoval(removed, failures);
    }

    private static string Key(RunResource r) => r.Kind switch
    {
        Directory => "dir",
        Iptables => "chain",
        _ => r.Name,
    };

    private static async Task<HashSet<string>> ProbeAsync(SshHost host, IReadOnlyList<RunResource> resources, CancellationToken ct)
    {
        var dir = resources.FirstOrDefault(r => r.Kind == Directory)?.Name ?? "/nonexistent";
        var pids = resources.Where(r => r.Kind == RunResource.ProcessKind).SelectMany(p => new[] { p.Name, (p.StartTime ?? 0).ToString(CultureInfo.InvariantCulture) });
        var result = await host.ExecAsync(["sh", "-c", FindScript, dir, IptablesNetwork.Chain, .. pids], ct);
        return [.. result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }

    /// <summary>Every host of the marker with its recorded resources, logged in as the run did (null when it cannot be).</summary>
    private static async IAsyncEnumerable<(string Address, SshHost? Host, IReadOnlyList<RunResource> Resources)> ConnectAllAsync(
        RunMarker marker, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var settings = marker.Resources.FirstOrDefault(r => r.Kind == Settings) is { } s ? SshSettings.FromJson(s.Name) : null;
        // the agent of the shell that cleans up, if any: the run's may have ended with its session
        if (settings is not null && SshSettings.CurrentAgentSocket is { } agent) settings = settings with { AgentSocket = agent };
        foreach (var hostResource in marker.Resources.Where(r => r.Kind == SshHostKind))
        {
            var address = hostResource.Host ?? "";
            var resources = marker.Resources.Where(r => r.Host == address && r.Kind != SshHostKind).ToList();
            if (resources.Count == 0) continue;
            SshHost? host = null;
            if (settings is not null && SshTarget.TryParse(hostResource.Name, 22, out _) is { } target)
            {
                try
                {
                    host = await SshHost.ConnectAsync(target, settings, KnownHosts.Load(settings.KnownHostsFiles), TimeSpan.FromSeconds(5), ct);
                }
                catch (ProvisioningException) { }
            }
            yield return (address, host, resources);
        }
    }
}
