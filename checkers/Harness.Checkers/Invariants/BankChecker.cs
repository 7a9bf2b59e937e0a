using System.Text.Json.Nodes;
using Harness.Core.Checking;
using Harness.Core.Histories;

namespace Harness.Checkers.Invariants;

/// <summary>
/// Bank workload (f "transfer" {"from","to","amount"}, f "read" {"account": balance, ...}): every ok read must
/// see the same total (money is neither created nor destroyed by transfers) and, unless allowed, no negative
/// balance. A null balance counts as a missing account (0). Transfers themselves are not checked: their effects
/// show in the reads. Valid when every read passes; unknown when there is no ok read.
/// </summary>
public sealed class BankChecker(long total, bool allowNegative = false) : IChecker
{
    public string Name => "bank";

    public CheckResult Check(History history, CancellationToken ct)
    {
        var anomalies = new List<Anomaly>();
        int reads = 0, wrongTotal = 0, negative = 0;
        foreach (var op in history.Oks)
        {
            ct.ThrowIfCancellationRequested();
            if (op.F != "read") continue;
            reads++;
            var value = op.Value ?? Datum.Nil;
            if (value.Kind != DatumKind.Map)
                throw new HistoryFormatException("history", op.Index, $"op {op.Index}: a bank read returns a map of account to balance, got {value}");
            long sum = 0;
            var balances = new JsonObject();
            var negatives = new List<(string Account, long Balance)>();
            foreach (var (k, v) in value.Entries)
            {
                var account = k.IsName ? k.AsName() : k.ToString();
                long b = 0;
                if (!v.IsNil && !v.TryGetLong(out b))
                    throw new HistoryFormatException("history", op.Index, $"op {op.Index}: balance of account {account} is {v}, not an integer");
                balances[account] = v.IsNil ? null : b;
                sum += b;
                if (b < 0) negatives.Add((account, b));
            }
            if (sum != total)
            {
                wrongTotal++;
                anomalies.Add(new Anomaly
                {
                    Type = "wrong-total",
                    Explanation = $"op {op.Index} (process {op.Process}) read balances totalling {sum}, but the total is always {total} ({(sum > total ? "+" : "")}{sum - total})",
                    Ops = [op.Index],
                    Data = new JsonObject { ["op"] = op.Index, ["expected"] = total, ["observed"] = sum, ["balances"] = balances },
                });
            }
            if (!allowNegative && negatives.Count > 0)
            {
                negative++;
                anomalies.Add(new Anomaly
                {
                    Type = "negative-balance",
                    Explanation = $"op {op.Index} (process {op.Process}) read negative balances: {string.Join(", ", negatives.Select(n => $"account {n.Account} = {n.Balance}"))}",
                    Ops = [op.Index],
                    Data = new JsonObject
                    {
                        ["op"] = op.Index,
                        ["negative"] = new JsonArray([.. negatives.Select(n => (JsonNode?)new JsonObject { ["account"] = n.Account, ["balance"] = n.Balance })]),
                        ["balances"] = balances.DeepClone(),
                    },
                });
            }
        }
        var stats = new JsonObject { ["reads"] = reads, ["wrong_total"] = wrongTotal, ["negative"] = negative, ["total"] = total };
        if (reads == 0) return CheckResult.Unknown(Name, "no successful read, so no balance could be checked") with { Stats = stats };
        if (anomalies.Count == 0)
            return CheckResult.Valid(Name, $"all {reads} reads saw the total {total}" + (allowNegative ? "" : " and no negative balance")) with { Stats = stats };
        var parts = new List<string>();
        if (wrongTotal > 0) parts.Add($"{wrongTotal} of {reads} reads saw a wrong total");
        if (negative > 0) parts.Add($"{negative} of {reads} reads saw a negative balance");
        return new CheckResult
        {
            Checker = Name, Validity = Validity.Invalid, Summary = string.Join("; ", parts),
            Anomalies = [.. anomalies.Take(100)], Stats = stats,
        };
    }
}
