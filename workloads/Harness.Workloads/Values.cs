using Harness.Core.Histories;

namespace Harness.Workloads;

/// <summary>Builders for the operation values of the history format (docs/history-format.md).</summary>
public static class Values
{
    public static Datum Map(params (string Key, Datum Value)[] entries) =>
        Datum.Map(entries.Select(e => new KeyValuePair<Datum, Datum>(Datum.Of(e.Key), e.Value)));

    /// <summary>Register op value: {"key":k,"value":v} (v may be nil, or [old,new] for cas).</summary>
    public static Datum KeyValue(long key, Datum value) => Map(("key", Datum.Of(key)), ("value", value));

    /// <summary>A micro-op of a list-append txn: ["append",k,v] or ["r",k,v].</summary>
    public static Datum MicroOp(string f, long key, Datum value) => Datum.Vec(Datum.Of(f), Datum.Of(key), value);
}
