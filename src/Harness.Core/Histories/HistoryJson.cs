using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Harness.Core.Histories;

/// <summary>
/// The harness's on-disk history format: JSON Lines, one <see cref="Operation"/> per line
/// (docs/history-format.md). Values are plain JSON: null, booleans, numbers, strings, arrays, objects.
/// </summary>
public static class HistoryJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, SkipValidation = true };

    /// <summary>
    /// Reads a whole file into a <see cref="History"/>; a torn final line is skipped and named in
    /// <see cref="History.Warnings"/> (see <see cref="ReadOperations(Stream, string, Action{string}?, HistoryRules?)"/>).
    /// </summary>
    public static History ReadFile(string path, HistoryRules? rules = null)
    {
        var warnings = new List<string>();
        var ops = ReadOperations(path, warnings.Add, rules).ToList();
        return new History(ops) { Warnings = [.. warnings] };
    }

    /// <summary>Streams the operations of a file in order; throws <see cref="HistoryFormatException"/> with the line.</summary>
    public static IEnumerable<Operation> ReadOperations(string path, Action<string>? warn = null, HistoryRules? rules = null)
    {
        if (!System.IO.File.Exists(path)) throw new HistoryFormatException(path, 0, "no such file");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        foreach (var op in ReadOperations(stream, path, warn, rules)) yield return op;
    }

    /// <summary>
    /// Streams the operations of JSON Lines in order; an unreadable line throws <see cref="HistoryFormatException"/>
    /// naming it, except a torn final line: an unreadable last line with no newline after it is what a writer
    /// killed mid-line leaves (the recorder ends every line with a newline), so it is skipped, everything before it
    /// is kept, and <paramref name="warn"/> is told which line it was. <paramref name="rules"/>, when given, checks
    /// each operation with its line.
    /// </summary>
    public static IEnumerable<Operation> ReadOperations(Stream stream, string name, Action<string>? warn = null, HistoryRules? rules = null)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            int filled = 0, start = 0;
            long line = 0, index = 0;
            var eof = false;
            while (true)
            {
                var nl = Array.IndexOf(buffer, (byte)'\n', start, filled - start);
                if (nl < 0)
                {
                    if (eof)
                    {
                        if (filled > start)
                        {
                            line++;
                            if (ParseFinalLine(buffer.AsSpan(start, filled - start), name, line, index, warn) is { } last)
                            {
                                rules?.Add(last, line);
                                yield return last;
                            }
                        }
                        yield break;
                    }
                    if (start > 0)
                    {
                        Buffer.BlockCopy(buffer, start, buffer, 0, filled - start);
                        filled -= start;
                        start = 0;
                    }
                    if (filled == buffer.Length)
                    {
                        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        Buffer.BlockCopy(buffer, 0, bigger, 0, filled);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }
                    var n = stream.Read(buffer, filled, buffer.Length - filled);
                    if (n == 0) eof = true;
                    filled += n;
                    continue;
                }
                line++;
                var op = ParseLine(buffer.AsSpan(start, nl - start), name, line, index);
                start = nl + 1;
                if (op is not null)
                {
                    rules?.Add(op, line);
                    index++;
                    yield return op;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The last line of a file with no newline after it: parsed, or, when unreadable (torn), skipped with a warning.</summary>
    private static Operation? ParseFinalLine(ReadOnlySpan<byte> line, string name, long lineNumber, long index, Action<string>? warn)
    {
        try
        {
            return ParseLine(line, name, lineNumber, index);
        }
        catch (HistoryFormatException e)
        {
            warn?.Invoke(TornLineWarning(name, lineNumber, index, e.Reason));
            return null;
        }
    }

    /// <summary>The warning for a torn final line, naming the file and the line.</summary>
    public static string TornLineWarning(string name, long line, long kept, string reason) =>
        $"{name}:{line}: warning: the last line is cut short ({reason}; a writer killed mid-line); skipped it, kept the {kept} operations before it";

    /// <summary>Parses one line; null for a blank line.</summary>
    public static Operation? ParseLine(ReadOnlySpan<byte> line, string name, long lineNumber, long index)
    {
        var trimmed = line.Trim((byte)' ').Trim((byte)'\r').Trim((byte)'\t');
        if (trimmed.IsEmpty) return null;
        try
        {
            var reader = new Utf8JsonReader(trimmed, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject) throw new HistoryFormatException(name, lineNumber, "expected a JSON object (one operation per line)");
            OpType? type = null;
            int? process = null;
            string? f = null, error = null, node = null;
            Datum? value = null;
            long time = -1, idx = index;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var prop = reader.ValueSpan;
                reader.Read();
                if (prop.SequenceEqual("type"u8)) type = ParseType(reader.GetString(), name, lineNumber);
                else if (prop.SequenceEqual("process"u8))
                {
                    process = reader.TokenType == JsonTokenType.Number ? reader.GetInt32()
                        : reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("nemesis"u8) ? Operation.NemesisProcess
                        : throw new HistoryFormatException(name, lineNumber, "process must be an integer or \"nemesis\"");
                }
                else if (prop.SequenceEqual("f"u8)) f = reader.TokenType == JsonTokenType.String ? Intern(reader.ValueSpan) : ReadDatum(ref reader).ToString();
                else if (prop.SequenceEqual("value"u8)) value = ReadDatum(ref reader);
                else if (prop.SequenceEqual("time"u8)) time = reader.TokenType == JsonTokenType.Number ? reader.GetInt64() : -1;
                else if (prop.SequenceEqual("index"u8)) { if (reader.TokenType == JsonTokenType.Number) idx = reader.GetInt64(); }
                else if (prop.SequenceEqual("error"u8)) error = reader.TokenType == JsonTokenType.Null ? null : reader.TokenType == JsonTokenType.String ? reader.GetString() : ReadDatum(ref reader).ToString();
                else if (prop.SequenceEqual("node"u8)) node = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                else reader.Skip();
            }
            if (type is null) throw new HistoryFormatException(name, lineNumber, "missing \"type\" (invoke, ok, fail or info)");
            if (process is null) throw new HistoryFormatException(name, lineNumber, "missing \"process\"");
            if (f is null) throw new HistoryFormatException(name, lineNumber, "missing \"f\"");
            return new Operation(type.Value, process.Value, f, value) { Index = idx, TimeNanos = time, Error = error, Node = node };
        }
        catch (JsonException e)
        {
            throw new HistoryFormatException(name, lineNumber, $"not valid JSON: {FirstSentence(e.Message)}");
        }
        catch (InvalidOperationException e)
        {
            throw new HistoryFormatException(name, lineNumber, $"unexpected value: {FirstSentence(e.Message)}");
        }
        catch (FormatException e)
        {
            throw new HistoryFormatException(name, lineNumber, $"bad number: {FirstSentence(e.Message)}");
        }
    }

    private static string FirstSentence(string message)
    {
        var i = message.IndexOf(". ", StringComparison.Ordinal);
        return i > 0 ? message[..i] : message.TrimEnd('.');
    }

    private static OpType ParseType(string? s, string name, long line) => s switch
    {
        "invoke" => OpType.Invoke,
        "ok" => OpType.Ok,
        "fail" => OpType.Fail,
        "info" => OpType.Info,
        _ => throw new HistoryFormatException(name, line, $"unknown type \"{s}\" (expected invoke, ok, fail or info)"),
    };

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Names = new(StringComparer.Ordinal);
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> NameLookup =
        Names.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Shares one string instance per distinct short name (f values, micro-op names), bounded in size.</summary>
    private static string Intern(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > 32) return Encoding.UTF8.GetString(utf8);
        Span<char> chars = stackalloc char[64];
        var n = Encoding.UTF8.GetChars(utf8, chars);
        if (NameLookup.TryGetValue(chars[..n], out var found)) return found;
        var s = new string(chars[..n]);
        return Names.Count < 65536 ? Names.GetOrAdd(s, s) : s;
    }

    /// <summary>Reads the JSON value under the reader (positioned on its first token) as a <see cref="Datum"/>.</summary>
    public static Datum ReadDatum(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null: return Datum.Nil;
            case JsonTokenType.True: return Datum.True;
            case JsonTokenType.False: return Datum.False;
            case JsonTokenType.Number:
                return reader.TryGetInt64(out var l) ? Datum.Of(l) : Datum.Of(reader.GetDouble());
            case JsonTokenType.String:
                return reader.ValueSpan.Length <= 16 && !reader.ValueIsEscaped ? Datum.Of(Intern(reader.ValueSpan)) : Datum.Of(reader.GetString());
            case JsonTokenType.StartArray:
                {
                    long[]? ints = new long[4];
                    List<Datum>? items = null;
                    var n = 0;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (ints is not null && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var v))
                        {
                            if (n == ints.Length) Array.Resize(ref ints, n * 2);
                            ints[n++] = v;
                            continue;
                        }
                        if (ints is not null)
                        {
                            items = new List<Datum>(n + 4);
                            for (var i = 0; i < n; i++) items.Add(Datum.Of(ints[i]));
                            ints = null;
                        }
                        items!.Add(ReadDatum(ref reader));
                    }
                    if (ints is not null) return n == 0 ? Datum.Vec() : Datum.Ints(ints.AsSpan(0, n).ToArray());
                    return Datum.Vec(items!);
                }
            case JsonTokenType.StartObject:
                {
                    var entries = new List<KeyValuePair<Datum, Datum>>();
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var key = reader.GetString()!;
                        reader.Read();
                        entries.Add(new(Datum.Of(key), ReadDatum(ref reader)));
                    }
                    return Datum.Map(entries);
                }
            default:
                throw new InvalidOperationException($"unexpected JSON token {reader.TokenType}");
        }
    }

    /// <summary>Writes one operation as a single JSON object (no trailing newline).</summary>
    public static void Write(Utf8JsonWriter w, Operation op)
    {
        w.WriteStartObject();
        w.WriteNumber("index"u8, op.Index);
        w.WriteString("type"u8, TypeName(op.Type));
        if (op.IsNemesis) w.WriteString("process"u8, "nemesis"u8);
        else w.WriteNumber("process"u8, op.Process);
        w.WriteString("f"u8, op.F);
        w.WritePropertyName("value"u8);
        WriteDatum(w, op.Value ?? Datum.Nil);
        w.WriteNumber("time"u8, op.TimeNanos);
        if (op.Error is not null) w.WriteString("error"u8, op.Error);
        if (op.Node is not null) w.WriteString("node"u8, op.Node);
        w.WriteEndObject();
    }

    public static string TypeName(OpType type) => type switch
    {
        OpType.Invoke => "invoke",
        OpType.Ok => "ok",
        OpType.Fail => "fail",
        _ => "info",
    };

    /// <summary>One operation as its JSON line.</summary>
    public static string ToLine(Operation op)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions)) Write(w, op);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes a whole history to a file, one operation per line.</summary>
    public static void WriteFile(string path, IEnumerable<Operation> ops)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
        WriteTo(stream, ops);
    }

    public static void WriteTo(Stream stream, IEnumerable<Operation> ops)
    {
        using var w = new Utf8JsonWriter(stream, WriterOptions);
        foreach (var op in ops)
        {
            Write(w, op);
            w.Flush();
            stream.WriteByte((byte)'\n');
            w.Reset();
        }
    }

    /// <summary>Datum to JSON: keywords and symbols become strings, sets become arrays, map keys become strings.</summary>
    public static void WriteDatum(Utf8JsonWriter w, Datum d)
    {
        switch (d.Kind)
        {
            case DatumKind.Nil: w.WriteNullValue(); break;
            case DatumKind.Bool: w.WriteBooleanValue(d.AsBool()); break;
            case DatumKind.Int: w.WriteNumberValue(d.AsLong()); break;
            case DatumKind.Float: w.WriteNumberValue(d.AsDouble()); break;
            case DatumKind.String or DatumKind.Keyword or DatumKind.Symbol: w.WriteStringValue(d.AsName()); break;
            case DatumKind.Vector or DatumKind.List or DatumKind.Set:
                w.WriteStartArray();
                if (d.TryGetLongs(out var longs)) foreach (var v in longs) w.WriteNumberValue(v);
                else foreach (var item in d.Items) WriteDatum(w, item);
                w.WriteEndArray();
                break;
            case DatumKind.Map:
                w.WriteStartObject();
                foreach (var (k, v) in d.Entries)
                {
                    w.WritePropertyName(k.IsName ? k.AsName() : k.IsInt ? k.AsLong().ToString(CultureInfo.InvariantCulture) : k.ToString());
                    WriteDatum(w, v);
                }
                w.WriteEndObject();
                break;
            case DatumKind.Tagged:
                d.TryGetTagged(out _, out var inner);
                WriteDatum(w, inner);
                break;
        }
    }

    /// <summary>A datum as compact JSON text.</summary>
    public static string DatumToJson(Datum d)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions)) WriteDatum(w, d);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
