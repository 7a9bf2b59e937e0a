using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Core;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Harness.Cli.Commands;

/// <summary>One test of a matrix: the arguments of a <c>harness test &lt;db&gt; ...</c> command (database first),
/// how often it runs, and its time budget (null: derived from its time limit).</summary>
internal sealed record MatrixCell(IReadOnlyList<string> Args, int Repeat, TimeSpan? Budget);

/// <summary>
/// The tests of <c>harness test-all</c>, from a JSON or YAML file (see docs/ci.md) and from flags. A test is a
/// string (the words after <c>harness test</c>), a list of arguments, or a cross product: an object whose
/// <c>database</c> and option keys hold one value or a list of them (every combination is one test; null leaves
/// the option out, true is a switch), with optional <c>args</c>, <c>repeat</c> and <c>budget</c>.
/// </summary>
internal static class MatrixSpec
{
    public const int MaxTests = 10_000;
    private static readonly HashSet<string> Reserved = ["database", "args", "repeat", "budget"];

    /// <summary>Settings of the file itself: repetitions, budget and arguments for every test.</summary>
    public sealed record FileDefaults(int? Repeat, TimeSpan? Budget, IReadOnlyList<string> Args);

    /// <summary>Reads a matrix file (.json as JSON, anything else as YAML, of which JSON is a subset).</summary>
    public static (FileDefaults Defaults, List<(JsonNode? Test, string Where)> Tests) ReadFile(string path)
    {
        if (!File.Exists(path)) throw new UserErrorException($"the matrix file {path} does not exist");
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserErrorException($"cannot read the matrix file {path}: {e.Message.TrimEnd('.')}");
        }
        var root = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? ParseJson(text, path) : ParseYaml(text, path);
        if (root is not JsonObject o) throw new UserErrorException($"{path}: the matrix must be an object with a 'tests' list (see docs/ci.md)");
        foreach (var key in o.Select(p => p.Key))
            if (key is not ("tests" or "repeat" or "budget" or "args" or "name"))
                throw new UserErrorException($"{path}: unknown key '{key}'; the keys are tests, repeat, budget, args");
        if (o["tests"] is not JsonArray tests || tests.Count == 0) throw new UserErrorException($"{path}: 'tests' must be a non-empty list");
        var defaults = new FileDefaults(Repeat(o["repeat"], $"{path}: repeat"), Budget(o["budget"], $"{path}: budget"),
            o["args"] is null ? [] : Words(o["args"], $"{path}: args"));
        return (defaults, [.. tests.Select((t, i) => (t, $"{path}: test {i + 1}"))]);
    }

    private static JsonNode? ParseJson(string text, string path)
    {
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new UserErrorException($"{path} is not valid JSON: {e.Message}");
        }
    }

    /// <summary>YAML into the same JSON tree (plain scalars null, true/false and numbers become those).</summary>
    internal static JsonNode? ParseYaml(string text, string path)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (Exception e) when (e is YamlException or ArgumentException)
        {
            throw new UserErrorException($"{path} is not valid YAML: {e.Message}");
        }
        if (stream.Documents.Count != 1) throw new UserErrorException($"{path} must hold one YAML document, not {stream.Documents.Count}");
        return ToJson(stream.Documents[0].RootNode, path);
    }

    private static JsonNode? ToJson(YamlNode node, string path) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(p => KeyValuePair.Create(
            p.Key is YamlScalarNode { Value: { } k } ? k : throw new UserErrorException($"{path}: line {p.Key.Start.Line}: keys must be plain words"),
            ToJson(p.Value, path)))),
        YamlSequenceNode s => new JsonArray([.. s.Children.Select(c => ToJson(c, path))]),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: var v } => v switch
        {
            null or "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            _ when double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
            _ => JsonValue.Create(v),
        },
        YamlScalarNode sc => JsonValue.Create(sc.Value ?? ""),
        _ => throw new UserErrorException($"{path}: line {node.Start.Line}: anchors and aliases are not supported"),
    };

    /// <summary>
    /// Expands one test of a file (or of <c>--test</c>) into cells: a string or list is one cell, an object a cross
    /// product. <paramref name="args"/> (the file's and the command line's) is appended to each.
    /// </summary>
    public static IEnumerable<MatrixCell> Expand(JsonNode? test, string where, IReadOnlyList<string> args, int repeat, TimeSpan? budget)
    {
        switch (test)
        {
            case JsonValue v when v.TryGetValue<string>(out var line):
                return [new MatrixCell([.. SplitWords(line, where), .. args], repeat, budget)];
            case JsonArray list:
                return [new MatrixCell([.. Words(list, where), .. args], repeat, budget)];
            case JsonObject o:
                return Product(o, where, args, repeat, budget);
            default:
                throw new UserErrorException($"{where}: a test is a string ('memory --workload set'), a list of arguments, or an object of options to combine");
        }
    }

    private static List<MatrixCell> Product(JsonObject o, string where, IReadOnlyList<string> args, int repeat, TimeSpan? budget)
    {
        var databases = o["database"] switch
        {
            JsonArray a => a.Select(d => Scalar(d, $"{where}: database")).ToList(),
            { } d => [Scalar(d, $"{where}: database")],
            null => throw new UserErrorException($"{where}: name a 'database' (e.g. database: memory)"),
        };
        if (databases.Count == 0 || databases.Any(d => d is null)) throw new UserErrorException($"{where}: 'database' must name at least one database");
        repeat = Repeat(o["repeat"], $"{where}: repeat") ?? repeat;
        budget = Budget(o["budget"], $"{where}: budget") ?? budget;
        IReadOnlyList<string> extra = o["args"] is null ? [] : Words(o["args"], $"{where}: args");
        // Each option: its flag and the values to combine (null: the option left out).
        var axes = o.Where(p => !Reserved.Contains(p.Key)).Select(p =>
        {
            var flag = p.Key.StartsWith("--", StringComparison.Ordinal) ? p.Key : "--" + p.Key;
            var values = p.Value is JsonArray a ? [.. a] : new List<JsonNode?> { p.Value };
            if (values.Count == 0) throw new UserErrorException($"{where}: '{p.Key}' has no values");
            return values.Select(v => v is JsonValue b && b.TryGetValue<bool>(out var on)
                ? (on ? new[] { flag } : [])
                : Scalar(v, $"{where}: {p.Key}") is { } s ? [flag, s] : []).ToList();
        }).ToList();
        IEnumerable<List<string>> combos = databases.Select(d => new List<string> { d! });
        foreach (var axis in axes) combos = combos.SelectMany(c => axis.Select(a => (List<string>)[.. c, .. a]));
        var cells = combos.Take(MaxTests + 1).Select(c => new MatrixCell([.. c, .. extra, .. args], repeat, budget)).ToList();
        return cells.Count > MaxTests ? throw new UserErrorException($"{where}: more than {MaxTests} tests") : cells;
    }

    /// <summary>The words of a test given as one string (split on white space; use a list for a value with spaces).</summary>
    public static string[] SplitWords(string line, string where)
    {
        var words = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length > 0 && words[0] == "test") words = words[1..]; // "test memory ..." is fine too
        if (words.Any(w => w.Contains('\'', StringComparison.Ordinal) || w.Contains('"', StringComparison.Ordinal)))
            throw new UserErrorException($"{where}: quotes are not read in a test given as one string; give it as a list of arguments");
        return words;
    }

    private static List<string> Words(JsonNode? node, string where) => node switch
    {
        JsonArray a => [.. a.Select(w => Scalar(w, where) ?? throw new UserErrorException($"{where}: an argument is null"))],
        JsonValue v when v.TryGetValue<string>(out var s) => [.. SplitWords(s, where)],
        _ => throw new UserErrorException($"{where}: must be a list of arguments"),
    };

    private static string? Scalar(JsonNode? node, string where) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<double>(out var d) => d.ToString(CultureInfo.InvariantCulture),
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
        _ => throw new UserErrorException($"{where}: expected a value, got {node.ToJsonString()}"),
    };

    public static int? Repeat(JsonNode? node, string where) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<double>(out var d) && d is >= 1 and <= 1000 && d == Math.Floor(d) => (int)d,
        _ => throw new UserErrorException($"{where} must be a whole number from 1 to 1000, got {node.ToJsonString()}"),
    };

    public static TimeSpan? Budget(JsonNode? node, string where) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<double>(out var d) && d is > 0 and <= 7 * 24 * 3600 => TimeSpan.FromSeconds(d),
        _ => throw new UserErrorException($"{where} must be a number of seconds (more than 0, at most a week), got {node.ToJsonString()}"),
    };
}
