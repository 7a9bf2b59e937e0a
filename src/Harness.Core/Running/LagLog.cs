using System.Collections.Immutable;
using System.Text;
using System.Text.Json;

namespace Harness.Core.Running;

/// <summary>
/// lag.jsonl: the database's own view of replication lag, sampled during the run (<see cref="ReplicationSampler"/>),
/// one JSON object per replica per sample:
/// <c>{"time":1234567890,"node":"n2","source":"n1","state":"streaming","write_lag_ms":0.4,"flush_lag_ms":0.5,
/// "replay_lag_ms":101.2,"bytes_behind":4096,"position":"0/3000060","source_position":"0/3001060"}</c>.
/// <c>time</c> is in nanoseconds on the history's clock; a figure the database did not report is left out.
/// </summary>
public static class LagLog
{
    public const string FileName = "lag.jsonl";

    /// <summary>The samples of a run directory, or null when it has no lag.jsonl (a database that reports no
    /// replication status, or a run stored before the harness sampled it).</summary>
    public static LagLogContents? ReadRun(string runDirectory)
    {
        var path = Path.Combine(runDirectory, FileName);
        return File.Exists(path) ? Read(File.ReadAllLines(path)) : null;
    }

    /// <summary>Parses lag.jsonl lines. A torn or unreadable line (a run killed mid-write) is skipped with a warning,
    /// never an error: these figures are informational.</summary>
    public static LagLogContents Read(IEnumerable<string> lines)
    {
        var samples = ImmutableArray.CreateBuilder<LagSample>();
        var warnings = ImmutableArray.CreateBuilder<string>();
        var number = 0;
        foreach (var line in lines)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var o = doc.RootElement;
                if (o.ValueKind != JsonValueKind.Object || !o.TryGetProperty("time", out var time) || !o.TryGetProperty("node", out var node) || node.ValueKind != JsonValueKind.String)
                {
                    warnings.Add($"{FileName} line {number}: not a sample (it needs time and node)");
                    continue;
                }
                samples.Add(new LagSample(time.GetInt64(), node.GetString()!, Str(o, "source"), Str(o, "state"),
                    Num(o, "write_lag_ms"), Num(o, "flush_lag_ms"), Num(o, "replay_lag_ms"),
                    o.TryGetProperty("bytes_behind", out var b) && b.ValueKind == JsonValueKind.Number ? b.GetInt64() : null,
                    Str(o, "position"), Str(o, "source_position")));
            }
            catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
            {
                warnings.Add($"{FileName} line {number} is not valid JSON (skipped): {e.Message}");
            }
        }
        return new LagLogContents(samples.ToImmutable(), warnings.ToImmutable());
    }

    /// <summary>One line of lag.jsonl, without the newline.</summary>
    public static string Line(LagSample s)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteNumber("time", s.TimeNanos);
            w.WriteString("node", s.Node);
            if (s.Source is not null) w.WriteString("source", s.Source);
            if (s.State is not null) w.WriteString("state", s.State);
            Write(w, "write_lag_ms", s.WriteLagMs);
            Write(w, "flush_lag_ms", s.FlushLagMs);
            Write(w, "replay_lag_ms", s.ReplayLagMs);
            if (s.BytesBehind is { } bytes) w.WriteNumber("bytes_behind", bytes);
            if (s.Position is not null) w.WriteString("position", s.Position);
            if (s.SourcePosition is not null) w.WriteString("source_position", s.SourcePosition);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v)) w.WriteNumber(name, Math.Round(v, 3));
    }

    private static string? Str(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static double? Num(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
}

/// <summary>The samples of one lag.jsonl, in file order, and the lines that could not be read.</summary>
public sealed record LagLogContents(ImmutableArray<LagSample> Samples, ImmutableArray<string> Warnings);
