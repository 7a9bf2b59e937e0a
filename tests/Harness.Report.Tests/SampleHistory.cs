using System.Text.Json.Nodes;
using Harness.Core.Histories;

namespace Harness.Report.Tests;

/// <summary>
/// A deterministic keyed-register history with partitions and a kill, shaped like a real run: workers with
/// random latencies, a few info completions (the worker continues as a new process), nemesis ops every few seconds.
/// </summary>
public static class SampleHistory
{
    public const int Concurrency = 5;

    public static History Register(int clientOps, int seed = 7)
    {
        var random = new Random(seed);
        var events = new List<(long Time, int Order, Operation Op)>();
        var order = 0;
        var process = Enumerable.Range(0, Concurrency).ToArray();
        var next = Enumerable.Range(0, Concurrency).Select(w => w * 300_000L).ToArray();
        for (var n = 0; n < clientOps; n++)
        {
            var w = Array.IndexOf(next, next.Min());
            var t = next[w];
            var key = random.Next(4);
            var (f, value) = random.Next(3) switch
            {
                0 => ("read", Datum.Map([new(Datum.Of("key"), Datum.Of(key)), new(Datum.Of("value"), Datum.Nil)])),
                1 => ("write", Datum.Map([new(Datum.Of("key"), Datum.Of(key)), new(Datum.Of("value"), Datum.Of(random.Next(5)))])),
                _ => ("cas", Datum.Map([new(Datum.Of("key"), Datum.Of(key)), new(Datum.Of("value"), Datum.Ints(random.Next(5), random.Next(5)))])),
            };
            var latency = (long)(random.NextDouble() < 0.02 ? random.Next(50, 400) * 1e6 : random.Next(200, 8000) * 1e3);
            var invoke = Operation.Invoke(process[w], f, value) with { Node = $"n{(process[w] % 3) + 1}" };
            var roll = random.NextDouble();
            var done = roll < 0.01 ? invoke.Info("timeout")
                : roll < 0.08 ? invoke.Fail(f == "cas" ? "cas-mismatch" : "unavailable")
                : f == "read" ? invoke.Ok(Datum.Map([new(Datum.Of("key"), Datum.Of(key)), new(Datum.Of("value"), Datum.Of(random.Next(5)))]))
                : invoke.Ok();
            events.Add((t, order++, invoke with { TimeNanos = t }));
            events.Add((t + latency, order++, done with { TimeNanos = t + latency }));
            next[w] = t + latency + random.Next(100, 2000) * 1000L;
            if (done.IsInfo) process[w] += Concurrency;
        }
        var end = events.Max(e => e.Time);
        var period = Math.Max(6L, end / 6);
        for (var (t, k) = (period / 2, 0); t + (period / 2) < end; t += period, k++)
        {
            var partition = k % 2 == 0;
            var victims = partition ? new[] { "n1" } : new[] { $"n{(k % 3) + 1}" };
            JsonObject hit = partition
                ? new() { ["nodes"] = new JsonArray("n1"), ["components"] = new JsonArray(new JsonArray("n1"), new JsonArray("n2", "n3")) }
                : new() { ["nodes"] = new JsonArray(victims[0]) };
            var (startF, stopF) = partition ? ("start-partition", "stop-partition") : ("kill", "start");
            AddNemesis(events, ref order, t, Math.Max(1, period / 40), startF, partition ? Obj(new() { ["shape"] = "one" }) : Datum.Nil, Obj(hit));
            AddNemesis(events, ref order, t + (period / 2), Math.Max(1, period / 40), stopF, Datum.Nil, Obj(new() { ["nodes"] = new JsonArray(victims[0]) }));
        }
        events.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Order.CompareTo(b.Order));
        return new History(events.Select(e => e.Op));
    }

    private static void AddNemesis(List<(long, int, Operation)> events, ref int order, long t, long took, string f, Datum invokeValue, Datum result)
    {
        var invoke = Operation.Invoke(Operation.NemesisProcess, f, invokeValue);
        events.Add((t, order++, invoke with { TimeNanos = t }));
        events.Add((t + took, order++, invoke with { Type = OpType.Info, Value = result, TimeNanos = t + took }));
    }

    private static Datum Obj(JsonObject o)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(o.ToJsonString());
        var reader = new System.Text.Json.Utf8JsonReader(bytes);
        reader.Read();
        return HistoryJson.ReadDatum(ref reader);
    }

    /// <summary>
    /// Writes lag.jsonl into a run directory: n2 and n3 every 250 ms over the history's span, streaming with a replay
    /// lag of 2 ms, except n2 from 1/4 to 1/2 of the span: detached (no replay lag), its bytes behind growing 4 KiB a sample.
    /// Returns the samples written.
    /// </summary>
    public static IReadOnlyList<Harness.Core.Running.LagSample> WriteLag(string runDir, History history)
    {
        var end = history.Max(o => o.TimeNanos);
        var samples = new List<Harness.Core.Running.LagSample>();
        for (long t = 0, k = 0; t <= end; t += 250_000_000, k++)
        {
            var held = t >= end / 4 && t < end / 2;
            samples.Add(held
                ? new(t, "n2", "n1", "detached", BytesBehind: 4096 * (k - (end / 4 / 250_000_000)))
                : new(t, "n2", "n1", "streaming", 0.1, 0.2, 2, 100));
            samples.Add(new(t, "n3", "n1", "streaming", 0.1, 0.2, 2.5, 200));
        }
        File.WriteAllLines(Path.Combine(runDir, RunFiles.Lag), samples.Select(Harness.Core.Running.LagLog.Line));
        return samples;
    }

    /// <summary>A results.json holding a visibility result with a t-visibility curve (P(seen) rising from 0.5 to 1;
    /// the 5000 ms bin without trials).</summary>
    public static string ResultsWithVisibility()
    {
        double[] ts = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];
        var curve = new JsonArray([.. ts.Select((t, i) => (JsonNode?)new JsonObject
        {
            ["t_ms"] = t,
            ["trials"] = i == ts.Length - 1 ? 0 : 100,
            ["p_seen"] = i == ts.Length - 1 ? null : Math.Min(1, 0.5 + (i * 0.05)),
        })]);
        return new JsonObject
        {
            ["checker"] = "session", ["valid"] = true, ["validity"] = "valid", ["summary"] = "all 2 checks passed",
            ["children"] = new JsonArray(
                new JsonObject { ["checker"] = "session-guarantees", ["valid"] = true, ["validity"] = "valid", ["summary"] = "no violation" },
                new JsonObject { ["checker"] = "visibility", ["valid"] = true, ["validity"] = "valid", ["summary"] = "10 of 100 reads stale", ["stats"] = new JsonObject { ["t_visibility"] = curve } }),
        }.ToJsonString();
    }

    /// <summary>Writes a run directory results/&lt;test&gt;/&lt;time&gt;/ with history.jsonl, test.json and, when given, results.json.</summary>
    public static string WriteRun(string resultsRoot, string test, string time, History history, string? resultsJson)
    {
        var dir = Path.Combine(resultsRoot, test, time);
        Directory.CreateDirectory(dir);
        HistoryJson.WriteFile(Path.Combine(dir, RunFiles.History), history);
        File.WriteAllText(Path.Combine(dir, RunFiles.Test), new JsonObject
        {
            ["name"] = $"memory {test}",
            ["seed"] = 42,
            ["nodes"] = new JsonArray("n1", "n2", "n3"),
            ["options"] = new JsonObject { ["workload"] = "register", ["nemesis"] = new JsonArray("partition", "kill"), ["concurrency"] = Concurrency, ["time-limit"] = 30 },
        }.ToJsonString());
        if (resultsJson is not null) File.WriteAllText(Path.Combine(dir, RunFiles.Results), resultsJson);
        return dir;
    }
}
