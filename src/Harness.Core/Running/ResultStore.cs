using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Harness.Core.Checking;
using Harness.Core.Runs;

namespace Harness.Core.Running;

/// <summary>
/// Where runs are stored (Jepsen's store): <c>&lt;root&gt;/&lt;test-name&gt;/&lt;yyyyMMddTHHmmssZ&gt;/</c> with
/// test.json, history.jsonl, results.json, harness.log and logs/&lt;node&gt;/; <c>&lt;root&gt;/latest</c> and
/// <c>&lt;root&gt;/&lt;test-name&gt;/latest</c> link to the newest run.
/// </summary>
public sealed class ResultStore(string root)
{
    public const string TestFile = "test.json";
    public const string HistoryFile = "history.jsonl";
    public const string ResultsFile = "results.json";
    public const string LogFile = "harness.log";

    /// <summary>The phases of the run that completed, one name a line (<see cref="MarkPhaseDone"/>).</summary>
    public const string PhasesFile = "phases.txt";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public string Root { get; } = root;

    /// <summary>
    /// Creates a fresh directory for a run of <paramref name="testName"/> and points the latest links at it; throws
    /// <see cref="UserErrorException"/> when it cannot be created or written.
    /// </summary>
    public string CreateRunDirectory(string testName, DateTimeOffset start)
    {
        var name = SafeName(testName);
        var stamp = start.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var dir = Path.Combine(Root, name, stamp);
        for (var i = 2; Directory.Exists(dir); i++) dir = Path.Combine(Root, name, $"{stamp}-{i}");
        try
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, PhasesFile), ""); // writable: the run will be able to store itself
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserErrorException($"cannot create the run directory {dir} under --results {Root}: {e.Message.TrimEnd('.')}; pass --results DIR, a directory you can write");
        }
        var leaf = Path.GetFileName(dir);
        Relink(Path.Combine(Root, "latest"), Path.Combine(name, leaf));
        Relink(Path.Combine(Root, name, "latest"), leaf);
        return dir;
    }

    /// <summary>A test name usable as a directory name: lower-case words joined by '-'.</summary>
    public static string SafeName(string name)
    {
        var chars = name.Trim().ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray();
        var s = new string(chars);
        while (s.Contains("--", StringComparison.Ordinal)) s = s.Replace("--", "-", StringComparison.Ordinal);
        s = s.Trim('-', '.');
        return s.Length == 0 ? "test" : s;
    }

    private static void Relink(string link, string target)
    {
        try
        {
            if (new FileInfo(link).LinkTarget is not null) File.Delete(link); // only ever replace a link
            File.CreateSymbolicLink(link, target);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // the link is a convenience; a failure must not stop the run
        }
    }

    /// <summary>Writes test.json: the test's name, seed, start time and every option.</summary>
    public static void WriteTest(string runDirectory, TestSpec spec, DateTimeOffset start)
    {
        var o = new JsonObject
        {
            ["name"] = spec.Name,
            ["database"] = spec.Options.Database,
            ["workload"] = spec.Options.Workload,
            ["faults"] = new JsonArray([.. spec.Options.Faults.Select(f => JsonValue.Create(f))]),
            ["seed"] = spec.Options.Seed,
            ["startedAt"] = start.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["options"] = JsonSerializer.SerializeToNode(spec.Options, JsonOptions),
        };
        File.WriteAllText(Path.Combine(runDirectory, TestFile), o.ToJsonString(JsonOptions) + "\n");
        File.WriteAllText(Path.Combine(runDirectory, PhasesFile), ""); // none completed yet
    }

    /// <summary>
    /// Records that a phase of the run completed (<c>main</c>, <c>heal</c>, <c>final</c>), so that re-checking a run
    /// that was killed (no final heal, no final reads) can say it did not finish instead of judging half a history.
    /// </summary>
    public static void MarkPhaseDone(string runDirectory, string phase) =>
        File.AppendAllText(Path.Combine(runDirectory, PhasesFile), phase + "\n");

    /// <summary>The phases a run completed; null for a run directory written before the runner recorded them.</summary>
    public static IReadOnlySet<string>? ReadPhasesDone(string runDirectory)
    {
        var path = Path.Combine(runDirectory, PhasesFile);
        return File.Exists(path) ? File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToHashSet(StringComparer.Ordinal) : null;
    }

    /// <summary>Reads the options saved in a run's test.json.</summary>
    public static TestOptions ReadOptions(string runDirectory)
    {
        var path = Path.Combine(runDirectory, TestFile);
        if (!File.Exists(path)) throw new UserErrorException($"{path} does not exist; pass a run directory such as results/latest");
        try
        {
            var o = JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
            if (o?["options"] is JsonObject saved) MoveLegacyDatabaseOptions(saved);
            return o?["options"]?.Deserialize<TestOptions>(JsonOptions)
                ?? throw new UserErrorException($"{path} has no options; it was not written by 'harness test'");
        }
        catch (JsonException e)
        {
            throw new UserErrorException($"{path} is not valid: {e.Message}");
        }
    }

    /// <summary>Runs stored before databases owned their options kept PostgreSQL's and the memory database's
    /// knobs beside the common ones; they are moved into databaseOptions (the names the suites use).</summary>
    private static void MoveLegacyDatabaseOptions(JsonObject options)
    {
        if (options.ContainsKey("databaseOptions")) return;
        (string Old, string New)[] renames =
            [("replication", "replication"), ("syncReplicas", "sync-replicas"), ("readFrom", "read-from"), ("failover", "failover"),
             ("fencing", "fencing"), ("isolation", "isolation"), ("bugs", "bug")];
        var database = options["database"]?.GetValue<string>();
        var moved = new JsonObject();
        foreach (var (old, name) in renames)
        {
            if (options[old] is not { } value) continue;
            options.Remove(old);
            if (database == "memory" ? name != "bug" : name == "bug") continue; // each database kept only its own
            moved[name] = value is JsonArray list ? string.Join(',', list.Select(v => v?.GetValue<string>())) : value.GetValueKind() switch
            {
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.String => value.GetValue<string>(),
                _ => value.ToJsonString(),
            };
        }
        options["databaseOptions"] = moved;
    }

    /// <summary>The test name saved in a run's test.json (the directory's parent name when missing).</summary>
    public static string ReadTestName(string runDirectory)
    {
        try
        {
            if (JsonNode.Parse(File.ReadAllText(Path.Combine(runDirectory, TestFile)))?["name"] is JsonValue v && v.TryGetValue<string>(out var name))
                return name;
        }
        catch (Exception e) when (e is IOException or JsonException) { }
        return Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(runDirectory).TrimEnd('/'))) ?? "test";
    }

    /// <summary>Writes results.json.</summary>
    public static void WriteResults(string runDirectory, CheckResult result) =>
        File.WriteAllText(Path.Combine(runDirectory, ResultsFile), CheckResultJson.Serialize(result) + "\n");
}
