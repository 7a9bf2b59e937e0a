using Harness.Core.Edn;

namespace Harness.Core.Histories.Formats;

/// <summary>
/// Reads the Jepsen etcd logs of Porcupine's test data: one event per line,
/// <c>INFO  jepsen.util - &lt;process&gt; &lt;:type&gt; &lt;:f&gt; &lt;value&gt;</c>, fields split on whitespace.
/// <c>:fail :cas</c> (the compare failed: the call happened and returned false) is kept as a fail with
/// error <c>compare-failed</c>; <c>:fail :read :timed-out</c> (a read with an unknown result) as a fail with
/// error <c>timed-out</c>; <c>:info</c> completions keep the invocation's value with error <c>timed-out</c>.
/// The etcd model interprets these (<c>--model etcd</c>); lines without <c>jepsen.util -</c> are skipped.
/// </summary>
public static class PorcupineEtcdImporter
{
    private const string Marker = "jepsen.util -";

    public static History ReadFile(string path, HistoryRules? rules = null) => Read(File.ReadLines(path), path, rules);

    /// <summary>Reads log lines; <paramref name="rules"/>, when given, checks each op with its line.</summary>
    public static History Read(IEnumerable<string> lines, string name, HistoryRules? rules = null)
    {
        var ops = new List<Operation>();
        var open = new Dictionary<int, Operation>();
        var lineNo = 0;
        foreach (var raw in lines)
        {
            lineNo++;
            var at = raw.IndexOf(Marker, StringComparison.Ordinal);
            if (at < 0)
            {
                if (string.IsNullOrWhiteSpace(raw)) continue;
                throw new HistoryFormatException(name, lineNo, "expected 'INFO  jepsen.util - <process> <:type> <:f> <value>'");
            }
            var fields = raw[(at + Marker.Length)..].Split((char[]?)null, 4, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (fields.Length < 3)
                throw new HistoryFormatException(name, lineNo, "expected '<process> <:type> <:f> <value>' after 'jepsen.util -'");
            if (!int.TryParse(fields[0], out var process) || process < 0)
                throw new HistoryFormatException(name, lineNo, $"bad process '{fields[0]}' (expected a non-negative integer)");
            var type = fields[1] switch
            {
                ":invoke" => OpType.Invoke,
                ":ok" => OpType.Ok,
                ":fail" => OpType.Fail,
                ":info" => OpType.Info,
                _ => throw new HistoryFormatException(name, lineNo, $"unknown type '{fields[1]}' (expected :invoke, :ok, :fail or :info)"),
            };
            if (!fields[2].StartsWith(':') || fields[2].Length < 2)
                throw new HistoryFormatException(name, lineNo, $"bad function '{fields[2]}' (expected a keyword such as :read)");
            var f = fields[2][1..];
            Datum value;
            try
            {
                value = fields.Length > 3 ? EdnReader.Parse(fields[3], name) : Datum.Nil;
            }
            catch (HistoryFormatException e)
            {
                throw new HistoryFormatException(name, lineNo, $"bad value '{fields[3]}': {e.Reason}");
            }
            var op = new Operation(type, process, f, value) { Index = ops.Count };
            if (type == OpType.Invoke)
            {
                open[process] = op;
            }
            else
            {
                open.Remove(process, out var inv);
                var timedOut = value.Kind == DatumKind.Keyword && value.AsName() == "timed-out";
                if (type == OpType.Info || timedOut)
                    op = op with { Value = f == "read" ? Datum.Nil : inv?.Value ?? Datum.Nil, Error = "timed-out" };
                else if (type == OpType.Fail && f == "cas")
                    op = op with { Error = "compare-failed" };
            }
            rules?.Add(op, lineNo);
            ops.Add(op);
        }
        return new History(ops);
    }
}
