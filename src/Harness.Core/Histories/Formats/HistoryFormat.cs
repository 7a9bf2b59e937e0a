namespace Harness.Core.Histories.Formats;

/// <summary>History file formats the harness reads (docs/history-format.md).</summary>
public enum HistoryFormat
{
    /// <summary>Detect from the file name and the first characters.</summary>
    Auto,
    /// <summary>The harness's JSON Lines format.</summary>
    Jsonl,
    /// <summary>Jepsen / Knossos EDN: a vector, list or plain sequence of op maps.</summary>
    Edn,
    /// <summary>Porcupine's Jepsen etcd logs: <c>INFO  jepsen.util - P :type :f value</c>.</summary>
    PorcupineEtcd,
    /// <summary>Porcupine's kv logs: one EDN map per line with <c>:key</c> and <c>:value</c>.</summary>
    PorcupineKv,
}
