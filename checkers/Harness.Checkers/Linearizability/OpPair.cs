using Harness.Core.Histories;

namespace Harness.Checkers.Linearizability;

/// <summary>
/// One client operation as a model sees it: the invocation, its completion (null when missing), the partition
/// key (null for an unkeyed history), and the values with any <c>{"key":k,"value":v}</c> wrapper removed.
/// </summary>
public readonly record struct OpPair(Operation Invoke, Operation? Completion, Datum? Key, Datum Input, Datum Output)
{
    /// <summary>Ok, Fail or Info (a missing completion counts as Info).</summary>
    public OpType Outcome => Completion?.Type ?? OpType.Info;

    public string F => Invoke.F;

    /// <summary>The operation's history index (its invocation).</summary>
    public long Index => Invoke.Index;

    /// <summary>Ok => Required, Info => Optional, Fail => Skip: the default rule for ops that change state.</summary>
    public OpInclusion DefaultInclusion => Outcome switch
    {
        OpType.Ok => OpInclusion.Required,
        OpType.Fail => OpInclusion.Skip,
        _ => OpInclusion.Optional,
    };

    /// <summary>Reads constrain the state only when they completed ok; otherwise they are left out.</summary>
    public OpInclusion ReadInclusion => Outcome == OpType.Ok ? OpInclusion.Required : OpInclusion.Skip;

    /// <summary>A short description: "#12 p3 write 4 -> ok".</summary>
    public override string ToString()
    {
        var outcome = Outcome switch { OpType.Ok => "ok", OpType.Fail => "fail", _ => Completion is null ? "no completion" : "info" };
        var io = Outcome == OpType.Ok && !Output.Equals(Input) && !Output.IsNil
            ? (Input.IsNil ? $" -> {Output}" : $" {Input} -> {Output}")
            : Input.IsNil ? "" : $" {Input}";
        var who = Invoke.IsNemesis ? "nemesis" : $"p{Invoke.Process}";
        return $"#{Invoke.Index} {who} {F}{io} ({outcome}{(Completion?.Error is { } e ? ": " + e : "")})";
    }

    /// <summary>Splits a keyed value <c>{"key":k,"value":v}</c> into its key and value; otherwise (null, value).</summary>
    public static (Datum? Key, Datum Value) Unwrap(Datum? value)
    {
        if (value is { Kind: DatumKind.Map } m && m.Get("key") is { } k)
            return (k, m.Get("value") ?? Datum.Nil);
        return (null, value ?? Datum.Nil);
    }
}
