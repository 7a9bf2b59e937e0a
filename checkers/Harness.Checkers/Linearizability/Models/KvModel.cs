using Harness.Core.Histories;

namespace Harness.Checkers.Linearizability.Models;

/// <summary>
/// Porcupine's kv model: each key holds a string, initially "" (nil reads as ""); <c>get</c> returns it,
/// <c>put</c> replaces it, <c>append</c> concatenates. Keys (<c>{"key":k,"value":v}</c>) are checked one at a
/// time. Fails never happened; info puts/appends may take effect or not; gets that did not complete ok are
/// left out.
/// </summary>
public sealed class KvModel : LinearizabilityModel<KvState, KvOp>
{
    public override string Name => "kv";
    public override string Description => "Porcupine kv: get/put/append on strings, initially \"\"; per key";
    public override bool SplitsByKey => true;

    public override OpInclusion Convert(in OpPair pair, ValueInterner values, out KvOp op)
    {
        switch (pair.F)
        {
            case "get" or "read":
                op = Op(0, Text(pair.Output));
                return pair.ReadInclusion;
            case "put" or "write":
                op = Op(1, Text(pair.Input));
                return pair.DefaultInclusion;
            case "append":
                op = Op(2, Text(pair.Input));
                return pair.DefaultInclusion;
            default:
                throw RegisterValues.UnknownF(pair, Name, "get, put, append");
        }
    }

    private static KvOp Op(byte kind, string value)
    {
        var (hash, pow) = KvState.HashOf(value);
        return new KvOp(kind, value, hash, pow);
    }

    private static string Text(Datum d) => d.IsNil ? "" : d.IsName ? d.AsName() : d.ToString();

    public override KvState Init(ValueInterner values) => new("", 0);

    public override bool Step(in KvState state, in KvOp op, out KvState next)
    {
        switch (op.Kind)
        {
            case 0:
                next = state;
                return state.Hash == op.Hash && string.Equals(state.Value, op.Value, StringComparison.Ordinal);
            case 1:
                next = new KvState(op.Value, op.Hash);
                return true;
            default:
                next = new KvState(state.Value + op.Value, (state.Hash * op.Pow) + op.Hash);
                return true;
        }
    }

    public override bool HasHeapStates => true;

    public override int StateHeapBytes(in KvState state) => StringBytes(state.Value.Length);

    public override string DescribeState(in KvState state, ValueInterner values) => $"the key holds \"{state.Value}\"";
}
