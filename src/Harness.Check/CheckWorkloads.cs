using System.Globalization;
using Harness.Checkers.Cycles;
using Harness.Checkers.Invariants;
using Harness.Checkers.Sessions;
using Harness.Core;
using Harness.Core.Checking;
using Harness.Core.Histories;
using Harness.Core.Histories.Formats;

namespace Harness.Check;

/// <summary>
/// The <c>--workload</c> branch of <c>harness check</c>: transactional (Elle-style) checks with
/// <c>--consistency MODEL</c>, session guarantees, and the set / bank / counter invariants.
/// </summary>
public static class CheckWorkloads
{
    public static IReadOnlyList<string> Names => Workloads.Workloads.CheckNames;

    public static IReadOnlyList<string> GuaranteeNames { get; } =
        ["read-your-writes", "monotonic-reads", "monotonic-writes", "writes-follow-reads", "consistent-prefix"];

    /// <summary>The client fs a workload's histories hold (docs/history-format.md), or null for an unknown name.</summary>
    public static IReadOnlySet<string>? Fs(string workload) => workload switch
    {
        "list-append" or "rw-register" or "session" => new HashSet<string>(StringComparer.Ordinal) { "txn" },
        "set" or "counter" => new HashSet<string>(StringComparer.Ordinal) { "add", "read" },
        "bank" => new HashSet<string>(StringComparer.Ordinal) { "transfer", "read" },
        _ => null,
    };

    /// <summary>The checker for a workload name and the extra options (consistency, total, guarantees, sessions).</summary>
    public static IChecker Select(string workload, IReadOnlyDictionary<string, string?> options)
    {
        string? Opt(string name) => options.TryGetValue(name, out var v) ? v : null;
        ConsistencyModel Model() => ConsistencyModels.Parse(Opt("consistency") ?? "serializable");
        return workload switch
        {
            "list-append" => new ListAppendChecker(Model()),
            "rw-register" => new RwRegisterChecker(Model()),
            "session" => new SessionGuaranteesChecker(new SessionGuaranteesOptions
            {
                Guarantees = ParseGuarantees(Opt("guarantees")),
                SessionOf = ParseSessions(Opt("sessions")),
            }),
            "set" => new SetChecker(),
            "bank" => new BankChecker(Opt("total") is { } t && long.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var total)
                ? total
                : throw new UserErrorException("--workload bank needs --total N (the sum of all balances)")),
            "counter" => new CounterChecker(),
            _ => throw new UserErrorException($"unknown workload '{workload}'; valid: {string.Join(", ", Names)}"),
        };
    }

    /// <summary>
    /// A list-append JSONL file is checked while streaming it (the history is never held in memory, so files of
    /// millions of transactions fit); when something is found, the file is read twice more: once for the
    /// operations the anomalies name, once to check again with their texts. Null when not applicable.
    /// Unreadable lines throw <see cref="HistoryFormatException"/> as for the other formats; other failures
    /// become an unknown verdict; a torn final line is skipped and reported to <paramref name="warn"/> (once), and
    /// the first pass checks <paramref name="rules"/> (then <see cref="HistoryRules.Finish"/>).
    /// </summary>
    public static CheckResult? TryStreaming(IChecker checker, string path, HistoryFormat format, Action<string>? warn, HistoryRules? rules, CancellationToken ct)
    {
        if (checker is not ListAppendChecker listAppend) return null;
        if (format == HistoryFormat.Auto && File.Exists(path)) format = HistoryFiles.Detect(path);
        if (format != HistoryFormat.Jsonl) return null;
        static IEnumerable<Operation> Dense(string path, Action<string>? warn = null, HistoryRules? rules = null) =>
            HistoryJson.ReadOperations(path, warn, rules).Select((o, i) => o.Index == i ? o : o with { Index = i });
        try
        {
            var first = listAppend.Check(Dense(path, warn, rules), null, ct);
            rules?.Finish();
            if (first.Anomalies.IsEmpty) return first;
            var wanted = first.Anomalies.SelectMany(a => a.Ops).ToHashSet();
            var ops = Dense(path).Where(o => wanted.Contains(o.Index)).ToDictionary(o => o.Index);
            return listAppend.Check(Dense(path), i => ops.GetValueOrDefault(i), ct);
        }
        catch (OperationCanceledException)
        {
            return CheckResult.Unknown(checker.Name, "timed out before reaching a verdict");
        }
        catch (Exception e) when (e is not (HistoryFormatException or UserErrorException))
        {
            return CheckResult.Unknown(checker.Name, $"checker crashed: {e.GetType().Name}: {e.Message}");
        }
    }

    private static SessionGuarantees ParseGuarantees(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text == "all") return SessionGuarantees.All;
        var result = SessionGuarantees.None;
        foreach (var name in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var i = GuaranteeNames.ToList().IndexOf(name);
            if (i < 0) throw new UserErrorException($"unknown guarantee '{name}'; valid: all, {string.Join(", ", GuaranteeNames)}");
            result |= (SessionGuarantees)(1 << i);
        }
        return result;
    }

    private static Func<Harness.Core.Histories.Operation, long> ParseSessions(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text == "process") return op => op.Process;
        if (text.StartsWith("thread:", StringComparison.Ordinal) && int.TryParse(text[7..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0)
            return SessionGuaranteesOptions.ByThread(n);
        throw new UserErrorException($"--sessions must be 'process' or 'thread:N' (N = concurrency), got '{text}'");
    }
}
