using System.Collections;
using System.Collections.Immutable;

namespace Harness.Core.Histories;

/// <summary>
/// A frozen history: operations in real-time order with dense indices (0..n-1), and the pairing of each
/// invocation with its completion. An invocation with no completion is treated as <see cref="OpType.Info"/>
/// (outcome unknown) by every checker.
/// </summary>
public sealed class History : IReadOnlyList<Operation>
{
    private readonly Operation[] _ops;
    private readonly int[] _pair; // for each position: the paired event's position, or -1

    public History(IEnumerable<Operation> operations)
    {
        _ops = operations.ToArray();
        for (var i = 0; i < _ops.Length; i++)
            if (_ops[i].Index != i) _ops[i] = _ops[i] with { Index = i };
        _pair = new int[_ops.Length];
        Array.Fill(_pair, -1);
        var open = new Dictionary<int, int>();
        for (var i = 0; i < _ops.Length; i++)
        {
            var op = _ops[i];
            if (op.IsNemesis && !op.IsInvoke && !open.ContainsKey(op.Process)) continue; // a bare nemesis info
            if (op.IsInvoke)
            {
                open[op.Process] = i;
            }
            else if (open.Remove(op.Process, out var inv))
            {
                _pair[i] = inv;
                _pair[inv] = i;
            }
        }
    }

    public static History Empty { get; } = new([]);

    /// <summary>What reading the file skipped, in words naming the file and line (e.g. a torn final line).</summary>
    public ImmutableArray<string> Warnings { get; init; } = [];

    public int Count => _ops.Length;
    public Operation this[int index] => _ops[index];
    public ReadOnlySpan<Operation> AsSpan() => _ops;

    /// <summary>The completion of an invocation (null when it never completed), or the invocation of a completion.</summary>
    public Operation? Partner(Operation op) => _pair[op.Index] is var p and >= 0 ? _ops[p] : null;

    public Operation? Completion(Operation invoke) => invoke.IsInvoke ? Partner(invoke) : null;
    public Operation? Invocation(Operation completion) => completion.IsInvoke ? null : Partner(completion);

    /// <summary>Client operations as (invocation, completion) pairs, in invocation order; completion is null when missing.</summary>
    public IEnumerable<(Operation Invoke, Operation? Completion)> ClientPairs()
    {
        foreach (var op in _ops)
            if (op.IsInvoke && op.IsClient) yield return (op, Partner(op));
    }

    public IEnumerable<Operation> ClientOps => _ops.Where(o => o.IsClient);
    public IEnumerable<Operation> NemesisOps => _ops.Where(o => o.IsNemesis);

    /// <summary>Completions that are ok, with their values (Jepsen's usual view of what happened).</summary>
    public IEnumerable<Operation> Oks => _ops.Where(o => o.IsOk && o.IsClient);

    public ImmutableArray<Operation> ToImmutableArray() => [.. _ops];
    public IEnumerator<Operation> GetEnumerator() => ((IEnumerable<Operation>)_ops).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Checks the process rules (one open op per process; no invoke after info). Returns problems in words.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        var open = new Dictionary<int, Operation>();
        var crashed = new HashSet<int>();
        foreach (var op in _ops)
        {
            if (op.IsNemesis) continue;
            if (op.IsInvoke)
            {
                if (open.TryGetValue(op.Process, out var prev))
                    problems.Add($"op {op.Index}: process {op.Process} invoked while op {prev.Index} is still open");
                if (crashed.Contains(op.Process))
                    problems.Add($"op {op.Index}: process {op.Process} invoked after an info completion");
                open[op.Process] = op;
            }
            else if (!open.Remove(op.Process, out var inv))
            {
                problems.Add($"op {op.Index}: completion for process {op.Process} with no open invocation");
            }
            else
            {
                if (inv.F != op.F) problems.Add($"op {op.Index}: completes f={op.F} but op {inv.Index} invoked f={inv.F}");
                if (op.IsInfo) crashed.Add(op.Process);
            }
        }
        return problems;
    }
}
