using System.Text;
using System.Text.Json.Nodes;
using Harness.Core.Checking;
using Harness.Core.Histories;

namespace Harness.Checkers.Linearizability;

/// <summary>
/// Checks that a history is linearizable with respect to a model: splits it into independent partitions
/// (per key, when the model allows), converts each partition's ops once, and runs the WGL search on the
/// partitions in parallel. A timeout (or cancellation) gives <see cref="Validity.Unknown"/>.
/// On a violation, each failing partition yields a <c>nonlinearizable</c> anomaly whose
/// <see cref="Anomaly.Data"/> is <c>{"key", "prefix", "stuck", "state", "partition_ops"}</c> (op indices).
/// </summary>
public sealed class LinearizabilityChecker(LinearizabilityModel model, TimeSpan? timeout = null) : IChecker
{
    private const int PrefixTailShown = 5;

    public string Name => "linearizability";

    public LinearizabilityModel Model => model;

    public CheckResult Check(History history, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (timeout is { } t && t > TimeSpan.Zero) cts.CancelAfter(t);
        var partitions = Partition(history);
        var outcomes = new PartitionOutcome?[partitions.Count];
        string? inputError = null;
        void CheckOne(int i)
        {
            try
            {
                outcomes[i] = model.CheckPartition(partitions[i].Pairs, cts.Token);
            }
            catch (LinearizabilityInputException e)
            {
                Interlocked.CompareExchange(ref inputError, e.Message, null);
                cts.Cancel();
            }
        }
        if (partitions.Count == 1) CheckOne(0);
        else if (partitions.Count > 1)
        {
            var order = Enumerable.Range(0, partitions.Count).OrderByDescending(i => partitions[i].Pairs.Count).ToArray();
            Parallel.ForEach(order, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, CheckOne);
        }
        var ops = partitions.Sum(p => p.Pairs.Count);
        var stats = new JsonObject
        {
            ["model"] = model.Name,
            ["ops"] = ops,
            ["partitions"] = partitions.Count,
        };
        if (inputError is not null)
            return CheckResult.Unknown(Name, $"cannot check with the {model.Name} model: {inputError}") with { Stats = stats };
        var failed = Enumerable.Range(0, partitions.Count).Where(i => outcomes[i]?.Verdict == SearchVerdict.NotLinearizable).ToList();
        var tooLarge = Enumerable.Range(0, partitions.Count).Count(i => outcomes[i]?.Verdict == SearchVerdict.TooLarge);
        var unknown = Enumerable.Range(0, partitions.Count).Count(i => outcomes[i] is null || outcomes[i]!.Verdict is SearchVerdict.Cancelled or SearchVerdict.TooLarge);
        stats["failed_partitions"] = failed.Count;
        stats["unknown_partitions"] = unknown;
        string Scope() => partitions.Count == 1 && partitions[0].Key is null ? $"{ops} ops" : $"{ops} ops in {partitions.Count} keys";
        if (failed.Count > 0)
        {
            var anomalies = failed.Select(i => Explain(partitions[i], outcomes[i]!)).ToList();
            var keyed = partitions[failed[0]].Key is not null;
            var summary = keyed
                ? $"not linearizable: {failed.Count} of {partitions.Count} keys have no linearization (first: key {partitions[failed[0]].Key})"
                : "not linearizable: no order of the operations is consistent with the model and real time";
            if (unknown > 0) summary += $"; {unknown} partitions timed out";
            return CheckResult.Invalid(Name, summary, anomalies) with { Stats = stats };
        }
        if (unknown > 0)
        {
            var why = tooLarge == unknown ? "gave up: the search outgrew its memory budget"
                : timeout is { } to && !ct.IsCancellationRequested ? $"timed out after {to.TotalSeconds:0.###} s" : "cancelled";
            return CheckResult.Unknown(Name, $"{why}: {unknown} of {partitions.Count} partitions unchecked ({Scope()})") with { Stats = stats };
        }
        return CheckResult.Valid(Name, $"linearizable ({Scope()}, {model.Name} model)") with { Stats = stats };
    }

    private List<(Datum? Key, List<OpPair> Pairs)> Partition(History history)
    {
        var byKey = new Dictionary<Datum, int>();
        var result = new List<(Datum? Key, List<OpPair> Pairs)>();
        int? unkeyed = null;
        foreach (var op in history)
        {
            if (!op.IsInvoke || op.IsNemesis) continue;
            var completion = history.Completion(op);
            var (key, input) = model.SplitsByKey ? OpPair.Unwrap(op.Value) : (null, op.Value ?? Datum.Nil);
            var output = completion is null ? Datum.Nil : model.SplitsByKey ? OpPair.Unwrap(completion.Value).Value : completion.Value ?? Datum.Nil;
            var pair = new OpPair(op, completion, key, input, output);
            int slot;
            if (key is null)
            {
                slot = unkeyed ??= result.Count;
                if (slot == result.Count) result.Add((null, []));
            }
            else if (!byKey.TryGetValue(key, out slot))
            {
                slot = result.Count;
                byKey[key] = slot;
                result.Add((key, []));
            }
            result[slot].Pairs.Add(pair);
        }
        return result;
    }

    private static Anomaly Explain((Datum? Key, List<OpPair> Pairs) partition, PartitionOutcome outcome)
    {
        var pairs = partition.Pairs;
        var sb = new StringBuilder();
        sb.Append(partition.Key is null ? "The history" : $"Key {partition.Key}").Append(" is not linearizable: ");
        sb.Append($"the longest linearizable prefix places {outcome.Prefix.Length} of {outcome.SearchedOps} operations");
        if (outcome.Prefix.Length > 0)
        {
            var tail = outcome.Prefix.TakeLast(PrefixTailShown).Select(i => pairs[i].ToString());
            sb.Append(outcome.Prefix.Length > PrefixTailShown ? ", ending with " : ": ").Append(string.Join(", ", tail));
        }
        sb.Append($". After it {outcome.State}, and none of the operations that could come next can be applied:");
        foreach (var i in outcome.Stuck) sb.Append("\n  ").Append(pairs[i].ToString());
        var prefix = new JsonArray();
        foreach (var i in outcome.Prefix) prefix.Add(pairs[i].Index);
        var stuck = new JsonArray();
        foreach (var i in outcome.Stuck) stuck.Add(pairs[i].Index);
        var all = new JsonArray();
        foreach (var p in pairs) all.Add(p.Index);
        var data = new JsonObject
        {
            ["key"] = partition.Key is null ? null : JsonNode.Parse(HistoryJson.DatumToJson(partition.Key)),
            ["prefix"] = prefix,
            ["stuck"] = stuck,
            ["state"] = outcome.State,
            ["partition_ops"] = all,
        };
        var ops = outcome.Prefix.TakeLast(PrefixTailShown).Concat(outcome.Stuck).Select(i => pairs[i].Index);
        return new Anomaly { Type = "nonlinearizable", Explanation = sb.ToString(), Ops = [.. ops], Data = data };
    }
}
