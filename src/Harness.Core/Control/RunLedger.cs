using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Harness.Core.Control;

/// <summary>
/// One thing a run made on a machine, recorded in its <see cref="RunMarker"/> before it is made. The kind is the
/// recording provisioner's vocabulary (netns: process, namespace, veth, bridge, iptables, directory; a Docker
/// provisioner: container, network; SSH: a remote directory or process with its <see cref="Host"/>); only that
/// provisioner interprets it, in <see cref="IProvisioner.RemoveLeftoversAsync"/>.
/// </summary>
public sealed record RunResource(string Kind, string Name)
{
    /// <summary>For a process: its start time (clock ticks since boot, field 22 of /proc/&lt;pid&gt;/stat), so a
    /// reused PID is never mistaken for it.</summary>
    public long? StartTime { get; init; }

    /// <summary>Where the resource is, when not on this machine (e.g. the SSH host of a remote directory).</summary>
    public string? Host { get; init; }

    /// <summary>A process of this machine, identified by PID and start time.</summary>
    public static RunResource Process(int pid, long startTime) =>
        new(ProcessKind, pid.ToString(CultureInfo.InvariantCulture)) { StartTime = startTime };

    /// <summary>The kind of <see cref="Process"/> resources.</summary>
    public const string ProcessKind = "process";

    public override string ToString() => Host is null ? $"{Kind} {Name}" : $"{Kind} {Host}:{Name}";
}

/// <summary>
/// What a run recorded about itself: who made it (the harness process, by PID and start time) and every resource it
/// was about to create. A run whose harness is no longer running (dead, or its PID reused by another process) and
/// whose marker is still there was killed, or left its cluster running (<see cref="LeftRunning"/>).
/// </summary>
public sealed record RunMarker
{
    public required string RunId { get; init; }

    /// <summary>The provisioner that recorded the resources and knows how to remove them (e.g. netns).</summary>
    public required string Provisioner { get; init; }

    public required int HarnessPid { get; init; }

    /// <summary>The harness process's start time (clock ticks since boot, /proc/&lt;pid&gt;/stat field 22).</summary>
    public required long HarnessStartTime { get; init; }

    public DateTimeOffset Started { get; init; }

    /// <summary>The harness's temporary directory (where the .NET runtime puts its diagnostic sockets and pipes).</summary>
    public string TempDirectory { get; init; } = "/tmp";

    /// <summary>The run was started with --leave-db-running: its cluster stays after a normal exit.</summary>
    public bool LeftRunning { get; init; }

    public ImmutableArray<RunResource> Resources { get; init; } = [];

    /// <summary>True while the process that recorded this run still runs (same PID and the same start time).</summary>
    [JsonIgnore]
    public bool IsAlive => LocalProcess.IsRunning(HarnessPid, HarnessStartTime);

    /// <summary>The files the .NET runtime of the harness process made in its temporary directory (diagnostic
    /// socket, debugger pipes): named by PID and start time, and never removed when the process is killed.</summary>
    [JsonIgnore]
    public ImmutableArray<string> DiagnosticFiles =>
    [
        Path.Combine(TempDirectory, $"dotnet-diagnostic-{HarnessPid}-{HarnessStartTime}-socket"),
        Path.Combine(TempDirectory, $"clr-debug-pipe-{HarnessPid}-{HarnessStartTime}-in"),
        Path.Combine(TempDirectory, $"clr-debug-pipe-{HarnessPid}-{HarnessStartTime}-out"),
    ];
}

/// <summary>
/// The marker of one run, as a JSON file <c>&lt;directory&gt;/&lt;provisioner&gt;-&lt;run id&gt;.json</c> (by default
/// under /run/harness: tmpfs, gone at reboot like the namespaces and processes it describes). A provisioner
/// creates it before it creates anything, adds each resource before making it (a process as soon as it is started),
/// removes what it has torn down for good, and deletes the marker at the end of a clean teardown. Every write
/// replaces the file atomically (rename), so a kill at any moment leaves a whole marker. Thread-safe.
/// </summary>
public sealed class RunLedger
{
    /// <summary>Where markers live unless told otherwise.</summary>
    public const string DefaultDirectory = "/run/harness";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private readonly Lock _lock = new();
    private RunMarker _marker;
    private bool _deleted;

    private RunLedger(string path, RunMarker marker)
    {
        FilePath = path;
        _marker = marker;
    }

    /// <summary>The marker file.</summary>
    public string FilePath { get; }

    /// <summary>What is recorded now.</summary>
    public RunMarker Marker
    {
        get { lock (_lock) return _marker; }
    }

    /// <summary>The marker file a run would have (a provisioner picks a run id whose marker does not exist).</summary>
    public static string PathFor(string provisioner, string runId, string? directory = null) =>
        Path.Combine(directory ?? DefaultDirectory, $"{provisioner}-{runId}.json");

    /// <summary>Creates the marker of a run of this process (written at once, with no resources yet).</summary>
    public static RunLedger Create(string provisioner, string runId, bool leftRunning = false, string? directory = null)
    {
        var dir = directory ?? DefaultDirectory;
        Directory.CreateDirectory(dir);
        var self = LocalProcess.Current;
        var marker = new RunMarker
        {
            RunId = runId,
            Provisioner = provisioner,
            HarnessPid = self.Pid,
            HarnessStartTime = self.StartTime,
            Started = DateTimeOffset.UtcNow,
            TempDirectory = Path.TrimEndingDirectorySeparator(Path.GetTempPath()),
            LeftRunning = leftRunning,
        };
        var ledger = new RunLedger(PathFor(provisioner, runId, dir), marker);
        ledger.Write(marker);
        return ledger;
    }

    /// <summary>Records resources about to be created (one write for all).</summary>
    public void Add(params IEnumerable<RunResource> resources)
    {
        lock (_lock)
        {
            if (_deleted) return;
            _marker = _marker with { Resources = [.. _marker.Resources, .. resources.Where(r => !_marker.Resources.Contains(r))] };
            Write(_marker);
        }
    }

    /// <summary>Forgets a resource that is gone for good (e.g. a server process that exited and was reaped).</summary>
    public void Remove(RunResource resource)
    {
        lock (_lock)
        {
            if (_deleted || !_marker.Resources.Contains(resource)) return;
            _marker = _marker with { Resources = _marker.Resources.Remove(resource) };
            Write(_marker);
        }
    }

    /// <summary>Deletes the marker: everything it recorded has been removed.</summary>
    public void Delete()
    {
        lock (_lock)
        {
            _deleted = true;
            DeleteFile(FilePath);
        }
    }

    /// <summary>Deletes the marker file at <paramref name="path"/> (and a half-written replacement); missing is fine.</summary>
    public static void DeleteFile(string path)
    {
        File.Delete(path);
        File.Delete(path + ".tmp");
    }

    /// <summary>Every marker in <paramref name="directory"/> (by default /run/harness) with its file, oldest first;
    /// a file that is not a marker is skipped.</summary>
    public static IReadOnlyList<(string Path, RunMarker Marker)> ReadAll(string? directory = null)
    {
        var dir = directory ?? DefaultDirectory;
        if (!Directory.Exists(dir)) return [];
        var found = new List<(string, RunMarker)>();
        foreach (var path in Directory.EnumerateFiles(dir, "*.json"))
            if (Read(path) is { } marker) found.Add((path, marker));
        return [.. found.OrderBy(m => m.Item2.Started)];
    }

    /// <summary>The marker in one file, or null when it is missing or not a marker.</summary>
    public static RunMarker? Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<RunMarker>(File.ReadAllText(path), JsonOptions);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            return null;
        }
    }

    private void Write(RunMarker marker)
    {
        var tmp = FilePath + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(marker, JsonOptions) + "\n");
        File.Move(tmp, FilePath, overwrite: true);
    }
}

/// <summary>Processes of this machine identified by PID and start time, from /proc (a PID alone can be reused).</summary>
public static class LocalProcess
{
    /// <summary>This process.</summary>
    public static (int Pid, long StartTime) Current =>
        (Environment.ProcessId, StartTimeOf(Environment.ProcessId) ?? 0);

    /// <summary>The start time of a process (clock ticks since boot, field 22 of /proc/&lt;pid&gt;/stat), or null
    /// when there is no such process.</summary>
    public static long? StartTimeOf(int pid) => Stat(pid) is { } fields && fields.Length > 19
        && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start) ? start : null;

    /// <summary>True while the process with this PID and start time runs (a zombie does not: it only waits to be reaped).</summary>
    public static bool IsRunning(int pid, long startTime) =>
        Stat(pid) is { } fields && fields.Length > 19 && fields[0] != "Z" && fields[19] == startTime.ToString(CultureInfo.InvariantCulture);

    /// <summary>The fields of /proc/&lt;pid&gt;/stat after the command name (state first), or null.</summary>
    private static string[]? Stat(int pid)
    {
        if (pid <= 0) return null;
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
