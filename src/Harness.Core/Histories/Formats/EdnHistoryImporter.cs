using Harness.Core.Edn;

namespace Harness.Core.Histories.Formats;

/// <summary>
/// Reads Jepsen / Knossos EDN histories: a vector or list of op maps, or a plain sequence of op maps
/// (one or several per line), each possibly tagged (<c>#jepsen.history.Op{...}</c>). Keys: <c>:type</c>
/// (required), <c>:process</c> (an integer or <c>:nemesis</c>), <c>:f</c>, <c>:value</c>, <c>:time</c>,
/// <c>:error</c>, <c>:node</c>; <c>:index</c> is ignored (file order is the history order).
/// A map with a <c>:key</c> (Porcupine kv logs) becomes the keyed value <c>{"key":k,"value":v}</c>.
/// <c>:fail</c>, <c>:info</c> and missing completions are kept as they are: checkers apply the rules.
/// </summary>
public static class EdnHistoryImporter
{
    private const int SyntheticProcessBase = 1 << 24;

    public static History ReadFile(string path, HistoryRules? rules = null) => Read(File.ReadAllText(path), path, rules);

    /// <summary>Reads EDN text; <paramref name="rules"/>, when given, checks each op with its line.</summary>
    public static History Read(string text, string name, HistoryRules? rules = null)
    {
        var reader = new EdnReader(text, name);
        var ops = new List<Operation>();
        var synthetic = new Stack<int>();
        var nextSynthetic = SyntheticProcessBase;
        var close = reader.TryEnterSequence();
        while (true)
        {
            reader.SkipWhitespace();
            var line = reader.Line;
            var d = close != '\0' ? reader.ReadElement(close) : reader.Read();
            if (d is null) break;
            var op = ToOperation(d, name, line, ops.Count, synthetic, ref nextSynthetic);
            rules?.Add(op, line);
            ops.Add(op);
        }
        if (close != '\0' && reader.SkipWhitespace())
            throw reader.Error($"unexpected text after the closing '{close}' of the history");
        return new History(ops);
    }

    private static Operation ToOperation(Datum d, string name, int line, int index, Stack<int> synthetic, ref int nextSynthetic)
    {
        if (d.TryGetTagged(out _, out var inner)) d = inner;
        if (d.Kind != DatumKind.Map)
            throw new HistoryFormatException(name, line, $"expected an op map like {{:type :invoke, :process 0, :f :read, :value nil}}, got {Abbrev(d)}");
        var typeD = d.Get("type") ?? throw new HistoryFormatException(name, line, "op map has no :type (:invoke, :ok, :fail or :info)");
        var type = (typeD.IsName ? typeD.AsName() : "") switch
        {
            "invoke" => OpType.Invoke,
            "ok" => OpType.Ok,
            "fail" => OpType.Fail,
            "info" => OpType.Info,
            _ => throw new HistoryFormatException(name, line, $"unknown :type {typeD} (expected :invoke, :ok, :fail or :info)"),
        };
        var value = d.Get("value") ?? Datum.Nil;
        if (d.Get("key") is { } key)
            value = Datum.Map([new(Datum.Of("key"), key), new(Datum.Of("value"), value)]);
        int process;
        var p = d.Get("process");
        if (p is null)
        {
            // Histories without processes (e.g. Elle's paper example) are sequences of invoke/complete pairs.
            if (type == OpType.Invoke) synthetic.Push(process = nextSynthetic++);
            else process = synthetic.Count > 0 ? synthetic.Pop() : nextSynthetic++;
        }
        else if (p.TryGetLong(out var pl) && pl is >= 0 and < SyntheticProcessBase) process = (int)pl;
        else if (p.IsName && p.AsName() == "nemesis") process = Operation.NemesisProcess;
        else throw new HistoryFormatException(name, line, $":process must be a non-negative integer or :nemesis, got {Abbrev(p)}");
        var fD = d.Get("f");
        string f = fD switch
        {
            null when value.IsSeq => "txn",
            null => throw new HistoryFormatException(name, line, "op map has no :f"),
            _ when fD.IsName => fD.AsName(),
            _ => fD.ToString(),
        };
        var time = d.Get("time") is { } t && t.TryGetLong(out var tl) ? tl : -1;
        var error = d.Get("error") is { } e && !e.IsNil ? (e.IsName ? e.AsName() : EdnWriter.ToEdn(e)) : null;
        var node = d.Get("node") is { } n && n.IsName ? n.AsName() : null;
        return new Operation(type, process, f, value) { Index = index, TimeNanos = time, Error = error, Node = node };
    }

    private static string Abbrev(Datum d)
    {
        var s = EdnWriter.ToEdn(d);
        return s.Length <= 60 ? s : s[..57] + "...";
    }
}
