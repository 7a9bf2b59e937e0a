using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Core.Checking;
using Harness.Core.Histories;
using Harness.Core.Running;

namespace Harness.Report;

/// <summary>
/// The JSON embedded in report.html (docs/report.md, "Embedded data"). Client operations are columnar arrays,
/// one entry per invocation, in invocation order: times are delta-encoded, indices relative, so 100,000
/// operations stay a few megabytes.
/// </summary>
internal static class ReportData
{
    /// <summary>Longest value text kept per operation (the hover box); longer values end in "…".</summary>
    public const int MaxValueChars = 200;

    private static readonly JsonWriterOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = true,
    };

    /// <summary>Writes the report data as UTF-8 JSON that is safe inside a &lt;script&gt; element.</summary>
    public static byte[] ToUtf8(ReportInput input, DateTimeOffset generated)
    {
        var buffer = new ArrayBufferWriter<byte>(1 << 16);
        using (var w = new Utf8JsonWriter(buffer, Options)) Write(w, input, generated);
        return EscapeForScript(buffer.WrittenSpan);
    }

    /// <summary>'&lt;' only occurs inside JSON strings; as \u003C it cannot close the script element.</summary>
    internal static byte[] EscapeForScript(ReadOnlySpan<byte> json)
    {
        var count = json.Count((byte)'<');
        if (count == 0) return json.ToArray();
        var result = new byte[json.Length + (count * 5)];
        var o = 0;
        foreach (var b in json)
        {
            if (b == (byte)'<')
            {
                "\\u003C"u8.CopyTo(result.AsSpan(o));
                o += 6;
            }
            else
            {
                result[o++] = b;
            }
        }
        return result;
    }

    private static void Write(Utf8JsonWriter w, ReportInput input, DateTimeOffset generated)
    {
        var history = input.History;
        var haveTimes = history.Count > 0 && history.All(op => op.TimeNanos >= 0);
        // Clock: microseconds since the test started, or the event index when the history has no times.
        long Time(Operation op) => haveTimes ? op.TimeNanos / 1000 : op.Index;

        w.WriteStartObject();
        w.WriteNumber("version", 1);
        w.WriteString("title", input.Title);
        if (input.Source is not null) w.WriteString("source", input.Source);
        w.WriteString("generated", generated.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture));
        w.WriteString("clock", haveTimes ? "us" : "index");
        w.WriteStartArray("notes");
        foreach (var note in history.Warnings.Concat(input.Notes)) w.WriteStringValue(note); // e.g. a torn final line
        w.WriteEndArray();
        w.WriteNumber("events", history.Count);
        w.WriteNumber("end", history.Count == 0 ? 0 : history.Max(Time));
        w.WritePropertyName("test");
        WriteNode(w, input.Test);
        w.WritePropertyName("results");
        WriteNode(w, input.ResultsJson ?? (input.Results is null ? null : CheckResultJson.ToJson(input.Results)));
        WriteOps(w, history, Time);
        WriteNemesis(w, history, Time);
        w.WriteStartArray("faults");
        foreach (var f in FaultWindows.From(history, Time))
        {
            w.WriteStartObject();
            w.WriteString("kind", f.Kind);
            w.WriteNumber("start", f.StartNanos);
            w.WriteNumber("end", f.EndNanos);
            if (f.Open) w.WriteBoolean("open", true);
            w.WriteString("label", f.Label);
            WriteStrings(w, "nodes", f.Nodes);
            w.WriteStartArray("ops");
            foreach (var i in f.Ops) w.WriteNumberValue(i);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (haveTimes && !input.Lag.IsEmpty) WriteLag(w, input.Lag);
        w.WriteEndObject();
    }

    /// <summary>
    /// lag.jsonl, columnar: one entry per sample, in time order: t (microseconds, the history's clock), node (an
    /// index into nodes), replay lag (ms) and bytes behind (null where the database reported none), and the state
    /// (an index into states).
    /// </summary>
    private static void WriteLag(Utf8JsonWriter w, IReadOnlyList<LagSample> lag)
    {
        var samples = lag.OrderBy(s => s.TimeNanos).ToList();
        var nodes = samples.Select(s => s.Node).Distinct().Order(StringComparer.Ordinal).ToList();
        var states = samples.Select(s => s.State ?? "unknown").Distinct().Order(StringComparer.Ordinal).ToList();
        w.WriteStartObject("lag");
        WriteStrings(w, "nodes", nodes);
        WriteStrings(w, "states", states);
        w.WriteStartArray("t");
        foreach (var s in samples) w.WriteNumberValue(s.TimeNanos / 1000);
        w.WriteEndArray();
        w.WriteStartArray("node");
        foreach (var s in samples) w.WriteNumberValue(nodes.IndexOf(s.Node));
        w.WriteEndArray();
        w.WriteStartArray("state");
        foreach (var s in samples) w.WriteNumberValue(states.IndexOf(s.State ?? "unknown"));
        w.WriteEndArray();
        w.WriteStartArray("replay_ms");
        foreach (var s in samples)
        {
            if (s.ReplayLagMs is { } ms && double.IsFinite(ms)) w.WriteNumberValue(Math.Round(ms, 3));
            else w.WriteNullValue();
        }
        w.WriteEndArray();
        w.WriteStartArray("bytes");
        foreach (var s in samples)
        {
            if (s.BytesBehind is { } b) w.WriteNumberValue(b);
            else w.WriteNullValue();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteOps(Utf8JsonWriter w, History history, Func<Operation, long> time)
    {
        var pairs = history.ClientPairs().ToList();
        long end = history.Count == 0 ? 0 : time(history[^1]);
        var rows = pairs.Select(p => (p.Invoke.Process, time(p.Invoke), p.Completion is null ? end : time(p.Completion))).ToList();
        var (laneOf, members) = Lanes.Assign(rows);
        var fs = new Dictionary<string, int>(StringComparer.Ordinal);
        var errors = new Dictionary<string, int>(StringComparer.Ordinal);
        var nodes = new Dictionary<string, int>(StringComparer.Ordinal);
        static int Intern(Dictionary<string, int> dict, string? s) =>
            s is null ? -1 : dict.TryGetValue(s, out var i) ? i : dict[s] = dict.Count;

        w.WriteStartObject("ops");
        w.WriteNumber("n", pairs.Count);
        w.WriteStartArray("lanes");
        foreach (var lane in members)
        {
            w.WriteStartArray();
            foreach (var p in lane) w.WriteNumberValue(p);
            w.WriteEndArray();
        }
        w.WriteEndArray();

        w.WriteStartArray("t0");
        long prev = 0;
        foreach (var (inv, _) in pairs)
        {
            var t = time(inv);
            w.WriteNumberValue(t - prev);
            prev = t;
        }
        w.WriteEndArray();
        w.WriteStartArray("d");
        foreach (var (inv, done) in pairs) w.WriteNumberValue(Math.Max(0, (done is null ? end : time(done)) - time(inv)));
        w.WriteEndArray();
        w.WriteStartArray("type"); // 0 ok, 1 fail, 2 info, 3 never completed
        foreach (var (_, done) in pairs)
            w.WriteNumberValue(done is null ? 3 : done.Type switch { OpType.Ok => 0, OpType.Fail => 1, _ => 2 });
        w.WriteEndArray();
        w.WriteStartArray("p");
        foreach (var (inv, _) in pairs) w.WriteNumberValue(inv.Process);
        w.WriteEndArray();
        w.WriteStartArray("lane");
        foreach (var (inv, _) in pairs) w.WriteNumberValue(laneOf[inv.Process]);
        w.WriteEndArray();
        w.WriteStartArray("f");
        foreach (var (inv, _) in pairs) w.WriteNumberValue(Intern(fs, inv.F));
        w.WriteEndArray();
        w.WriteStartArray("i0");
        prev = 0;
        foreach (var (inv, _) in pairs)
        {
            w.WriteNumberValue(inv.Index - prev);
            prev = inv.Index;
        }
        w.WriteEndArray();
        w.WriteStartArray("i1"); // completion index - invocation index; 0 when it never completed
        foreach (var (inv, done) in pairs) w.WriteNumberValue(done is null ? 0 : done.Index - inv.Index);
        w.WriteEndArray();
        w.WriteStartArray("v");
        foreach (var (inv, done) in pairs)
            w.WriteStringValue(ValueText(done is not null && done.Value is { IsNil: false } ? done.Value : inv.Value));
        w.WriteEndArray();
        w.WriteStartArray("e");
        foreach (var (_, done) in pairs) w.WriteNumberValue(Intern(errors, done?.Error));
        w.WriteEndArray();
        w.WriteStartArray("nd");
        foreach (var (inv, done) in pairs) w.WriteNumberValue(Intern(nodes, inv.Node ?? done?.Node));
        w.WriteEndArray();
        WriteStrings(w, "fs", fs.OrderBy(kv => kv.Value).Select(kv => kv.Key));
        WriteStrings(w, "errors", errors.OrderBy(kv => kv.Value).Select(kv => kv.Key));
        WriteStrings(w, "nodes", nodes.OrderBy(kv => kv.Value).Select(kv => kv.Key));
        w.WriteEndObject();
    }

    private static void WriteNemesis(Utf8JsonWriter w, History history, Func<Operation, long> time)
    {
        w.WriteStartArray("nemesis");
        foreach (var op in history.NemesisOps)
        {
            w.WriteStartObject();
            w.WriteNumber("i", op.Index);
            w.WriteNumber("t", time(op));
            w.WriteString("type", HistoryJson.TypeName(op.Type));
            w.WriteString("f", op.F);
            w.WriteString("v", ValueText(op.Value));
            if (op.Error is not null) w.WriteString("e", op.Error);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    internal static string ValueText(Datum? value)
    {
        if (value is null || value.IsNil) return "nil";
        var text = HistoryJson.DatumToJson(value);
        return text.Length <= MaxValueChars ? text : string.Concat(text.AsSpan(0, MaxValueChars - 1), "…");
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    private static void WriteNode(Utf8JsonWriter w, JsonNode? node)
    {
        if (node is null) w.WriteNullValue();
        else node.WriteTo(w);
    }
}
