using System.Text;
using System.Text.Json.Nodes;
using Harness.Core.Checking;
using Harness.Core.Histories;

namespace Harness.Checkers.Linearizability;

/// <summary>
/// Checks that a history is linearizable with respect to a model: splits it into independent partitions
/// (per key, when the model allows), converts each partition's ops once, and runs the WGL search on the
/// partitions in parallel (at most one per core). Cheap keys decide first: every key is first searched with a
/// small step allowance, smallest first, and a key that uses it up is searched again later with eight times
/// more (once no more keys wait than there are cores, with no limit). The first key proven not linearizable
/// stops the check (the other keys are reported as not searched) unless <see cref="AllKeys"/>. The memos of
/// all concurrent searches share one <see cref="MemoryBudget"/> of <see cref="MemoryBudgetBytes"/>; a key that
/// outgrows it gives up. A timeout (or cancellation) or a key given up gives <see cref="Validity.Unknown"/>,
/// unless another key failed.
/// On a violation, each failing partition yields a <c>nonlinearizable</c> anomaly whose
/// <see cref="Anomaly.Data"/> is <c>{"key", "prefix", "stuck", "state", "partition_ops"}</c> (op indices).
/// </summary>
public sealed class LinearizabilityChecker(LinearizabilityModel model, TimeSpan? timeout = null) : IChecker
{
    private const int PrefixTailShown = 5;

    /// <summary>The memory budget of a check unless told otherwise: 1 GiB.</summary>
    public const long DefaultMemoryBudget = 1L << 30;

    /// <summary>Steps of a key's first search: small keys (and quick failures) decide within it.</summary>
    internal const long FirstFuel = 1L << 16;

    public string Name => "linearizability";

    public LinearizabilityModel Model => model;

    /// <summary>Search every key even after one failed (by default the check stops at the first failing key).</summary>
    public bool AllKeys { get; init; }

    /// <summary>What the memos of all searches of one check may hold together (bytes).</summary>
    public long MemoryBudgetBytes { get; init; } = DefaultMemoryBudget;

    public CheckResult Check(History history, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (timeout is { } t && t > TimeSpan.Zero) cts.CancelAfter(t);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        var partitions = Partition(history);
        var outcomes = new PartitionOutcome?[partitions.Count];
        var budget = new MemoryBudget(MemoryBudgetBytes);
        var firstFailed = -1;
        string? inputError = null;
        var parallelism = Math.Max(1, Math.Min(Environment.ProcessorCount, partitions.Count));
        // Work queue: (round, size) -> smallest keys of the earliest round first.
        var queue = new PriorityQueue<int, (int Round, int Size, int Index)>();
        for (var i = 0; i < partitions.Count; i++) queue.Enqueue(i, (0, partitions[i].Pairs.Count, i));
        var prepared = new PartitionSearch?[partitions.Count];
        var gate = new object();
        var undecided = partitions.Count;
        var running = 0;
        void Worker()
        {
            while (true)
            {
                int i, round;
                bool unlimited;
                lock (gate)
                {
                    int size;
                    while (true)
                    {
                        if (stop.IsCancellationRequested) return;
                        if (queue.TryDequeue(out i, out var priority))
                        {
                            (round, size) = (priority.Round, priority.Size);
                            break;
                        }
                        if (running == 0) return;
                        Monitor.Wait(gate, 50);
                    }
                    running++;
                    // Nothing else waits for a core: no reason to stop this key early.
                    unlimited = undecided <= parallelism;
                }
                var requeue = false;
                try
                {
                    var search = prepared[i] ??= model.Prepare(partitions[i].Pairs);
                    var fuel = unlimited || round >= 12 ? long.MaxValue : Math.Max(FirstFuel, 8L * search.Ops) << (3 * round);
                    var outcome = search.Run(budget, fuel, stop.Token);
                    if (outcome.Verdict == SearchVerdict.OutOfFuel)
                    {
                        requeue = true;
                    }
                    else
                    {
                        outcomes[i] = outcome;
                        prepared[i] = null;
                        if (outcome.Verdict == SearchVerdict.NotLinearizable)
                        {
                            Interlocked.CompareExchange(ref firstFailed, i, -1);
                            if (!AllKeys) stop.Cancel();
                        }
                    }
                }
                catch (LinearizabilityInputException e)
                {
                    Interlocked.CompareExchange(ref inputError, e.Message, null);
                    cts.Cancel();
                }
                finally
                {
                    lock (gate)
                    {
                        running--;
                        if (requeue) queue.Enqueue(i, (round + 1, partitions[i].Pairs.Count, i));
                        else undecided--;
                        Monitor.PulseAll(gate);
                    }
                }
            }
        }
        if (parallelism == 1) Worker();
        else Task.WaitAll([.. Enumerable.Range(0, parallelism).Select(_ => Task.Factory.StartNew(Worker, TaskCreationOptions.LongRunning))]);
        var ops = partitions.Sum(p => p.Pairs.Count);
        var stats = new JsonObject
        {
            ["model"] = model.Name,
            ["ops"] = ops,
            ["partitions"] = partitions.Count,
        };
        if (inputError is not null)
            return CheckResult.Unknown(Name, $"cannot check with the {model.Name} model: {inputError}") with { Stats = stats };
        var keyed = partitions.Count > 0 && partitions[0].Key is not null;
        var failed = Enumerable.Range(0, partitions.Count).Where(i => outcomes[i]?.Verdict == SearchVerdict.NotLinearizable).ToList();
        var tooLarge = Enumerable.Range(0, partitions.Count).Where(i => outcomes[i]?.Verdict == SearchVerdict.TooLarge).ToList();
        var stoppedEarly = failed.Count > 0 && !AllKeys;
        var unfinished = Enumerable.Range(0, partitions.Count).Count(i => outcomes[i] is null || outcomes[i]!.Verdict == SearchVerdict.Cancelled);
        var unknown = unfinished + tooLarge.Count;
        stats["failed_partitions"] = failed.Count;
        stats["unknown_partitions"] = unknown;
        stats["memory_budget_bytes"] = budget.Limit;
        stats["peak_memo_bytes"] = budget.Peak;
        if (stoppedEarly) stats["unsearched_partitions"] = unfinished;
        string Scope() => partitions.Count == 1 && partitions[0].Key is null ? $"{ops} ops" : $"{ops} ops in {partitions.Count} keys";
        string Things(int count) => keyed ? (count == 1 ? "key" : "keys") : (count == 1 ? "partition" : "partitions");
        string MemoryNote() =>
            $"{tooLarge.Count} {Things(tooLarge.Count)} gave up at the memory budget ({MemoryBudget.Describe(budget.Limit)} for the whole check"
            + (tooLarge.Count == 1 && keyed ? $"; key {partitions[tooLarge[0]].Key}'s memo held {MemoryBudget.Describe(outcomes[tooLarge[0]]!.MemoBytes)}" : "") + ")";
        string UnfinishedWhy() => timeout is { } to && cts.IsCancellationRequested && !ct.IsCancellationRequested ? $"timed out after {to.TotalSeconds:0.###} s" : "cancelled";
        if (failed.Count > 0)
        {
            var first = !AllKeys && firstFailed >= 0 ? firstFailed : failed[0]; // with --all-keys: the first in key order, so the output does not depend on timing
            failed.Remove(first);
            failed.Insert(0, first);
            var anomalies = failed.Select(i => Explain(partitions[i], outcomes[i]!)).ToList();
            var summary = !keyed ? "not linearizable: no order of the operations is consistent with the model and real time"
                : failed.Count == 1 ? $"not linearizable: key {partitions[first].Key} has no linearization"
                : $"not linearizable: {failed.Count} of {partitions.Count} keys have no linearization (first: key {partitions[first].Key})";
            if (stoppedEarly && unfinished > 0)
                summary += $"; stopped after key {partitions[first].Key} failed: {unfinished} of {partitions.Count} keys not searched (use --all-keys to search every key)";
            else if (unfinished > 0)
                summary += $"; {unfinished} {Things(unfinished)} {UnfinishedWhy()}";
            if (tooLarge.Count > 0) summary += "; " + MemoryNote();
            return CheckResult.Invalid(Name, summary, anomalies) with { Stats = stats };
        }
        if (unknown > 0)
        {
            var why = new List<string>();
            if (tooLarge.Count > 0) why.Add("gave up: " + MemoryNote());
            if (unfinished > 0) why.Add($"{UnfinishedWhy()}: {unfinished} {Things(unfinished)} unfinished");
            return CheckResult.Unknown(Name, $"{string.Join("; ", why)} ({unknown} of {partitions.Count} unchecked, {Scope()})") with { Stats = stats };
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
        foreach (var i in outcome.Prefix) prefix.Add((JsonNode)pairs[i].Index);
        var stuck = new JsonArray();
        foreach (var i in outcome.Stuck) stuck.Add((JsonNode)pairs[i].Index);
        var all = new JsonArray();
        foreach (var p in pairs) all.Add((JsonNode)p.Index);
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
