using System.Text;

namespace Harness.Core.Histories.Formats;

/// <summary>Reads a history file in any supported format, detecting the format when asked to.</summary>
public static class HistoryFiles
{
    /// <summary>The names accepted by <c>--format</c>.</summary>
    public static IReadOnlyList<string> FormatNames { get; } = ["auto", "jsonl", "edn", "porcupine-etcd", "porcupine-kv"];

    /// <summary>Parses a <c>--format</c> value; throws <see cref="UserErrorException"/> for an unknown name.</summary>
    public static HistoryFormat ParseFormat(string? name) => name?.ToLowerInvariant() switch
    {
        null or "" or "auto" => HistoryFormat.Auto,
        "jsonl" or "json" => HistoryFormat.Jsonl,
        "edn" or "jepsen" or "knossos" => HistoryFormat.Edn,
        "porcupine-etcd" or "etcd" => HistoryFormat.PorcupineEtcd,
        "porcupine-kv" or "kv" => HistoryFormat.PorcupineKv,
        _ => throw new UserErrorException($"unknown history format '{name}' (expected one of: {string.Join(", ", FormatNames)})"),
    };

    public static string FormatName(HistoryFormat f) => f switch
    {
        HistoryFormat.Jsonl => "jsonl",
        HistoryFormat.Edn => "edn",
        HistoryFormat.PorcupineEtcd => "porcupine-etcd",
        HistoryFormat.PorcupineKv => "porcupine-kv",
        _ => "auto",
    };

    /// <summary>
    /// Reads a history; <see cref="HistoryFormatException"/> names the file and line on bad input, including a
    /// break of <paramref name="rules"/> when given (the caller then calls <see cref="HistoryRules.Finish"/>).
    /// </summary>
    public static History Read(string path, HistoryFormat format = HistoryFormat.Auto, HistoryRules? rules = null)
    {
        if (Directory.Exists(path)) throw new HistoryFormatException(path, 0, "is a directory, not a history file");
        if (!File.Exists(path)) throw new HistoryFormatException(path, 0, "no such file");
        if (format == HistoryFormat.Auto) format = Detect(path);
        return format switch
        {
            HistoryFormat.Jsonl => HistoryJson.ReadFile(path, rules),
            HistoryFormat.Edn or HistoryFormat.PorcupineKv => EdnHistoryImporter.ReadFile(path, rules),
            HistoryFormat.PorcupineEtcd => PorcupineEtcdImporter.ReadFile(path, rules),
            _ => throw new UserErrorException($"unsupported history format {format}"),
        };
    }

    /// <summary>Guesses a file's format from its extension and first characters.</summary>
    public static HistoryFormat Detect(string path)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is ".jsonl" or ".json") return HistoryFormat.Jsonl;
        if (ext == ".edn") return HistoryFormat.Edn;
        string head;
        using (var reader = new StreamReader(path, Encoding.UTF8))
        {
            var buffer = new char[4096];
            var n = reader.ReadBlock(buffer, 0, buffer.Length);
            head = new string(buffer, 0, n);
        }
        return DetectFromText(head) ?? throw new HistoryFormatException(path, 1,
            "cannot tell the history format; pass --format jsonl|edn|porcupine-etcd|porcupine-kv");
    }

    /// <summary>Guesses the format from the start of a file; null when it cannot tell.</summary>
    public static HistoryFormat? DetectFromText(string head)
    {
        var t = head.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        if (t.Length == 0) return HistoryFormat.Jsonl; // an empty history
        var firstLine = t.Split('\n', 2)[0];
        if (firstLine.Contains("jepsen.util -", StringComparison.Ordinal)) return HistoryFormat.PorcupineEtcd;
        if (t.StartsWith("{\"", StringComparison.Ordinal) || t.StartsWith("{ \"", StringComparison.Ordinal)) return HistoryFormat.Jsonl;
        if (t.StartsWith("{:", StringComparison.Ordinal) && firstLine.Contains(":key", StringComparison.Ordinal)) return HistoryFormat.PorcupineKv;
        if (t[0] is '[' or '(' or '{' or ';' or '#') return HistoryFormat.Edn;
        return null;
    }
}
