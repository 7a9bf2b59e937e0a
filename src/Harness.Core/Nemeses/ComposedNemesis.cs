using System.Collections.Immutable;
using Harness.Core.Histories;
using Harness.Core.Runs;

namespace Harness.Core.Nemeses;

/// <summary>Routes each op to the nemesis whose <see cref="INemesis.Fs"/> contains its f (Jepsen's compose).</summary>
public sealed class ComposedNemesis : INemesis
{
    private readonly ImmutableArray<INemesis> _parts;
    private readonly Dictionary<string, INemesis> _byF = [];

    public ComposedNemesis(IEnumerable<INemesis> parts)
    {
        _parts = [.. parts];
        foreach (var part in _parts)
            foreach (var f in part.Fs)
                if (!_byF.TryAdd(f, part))
                    throw new ArgumentException($"two nemeses handle f '{f}'");
        Fs = _byF.Keys.ToHashSet();
    }

    public IReadOnlySet<string> Fs { get; }

    public async Task SetupAsync(RunContext run, CancellationToken ct)
    {
        foreach (var part in _parts) await part.SetupAsync(run, ct);
    }

    public Task<Operation> InvokeAsync(RunContext run, Operation op, CancellationToken ct) =>
        _byF.TryGetValue(op.F, out var part)
            ? part.InvokeAsync(run, op, ct)
            : Task.FromResult(op with { Type = OpType.Info, Error = $"no nemesis handles f '{op.F}'" });

    /// <summary>Tears every part down, even when one of them throws; rethrows the first failure at the end.</summary>
    public async Task TeardownAsync(RunContext run, CancellationToken ct)
    {
        List<Exception>? errors = null;
        foreach (var part in _parts)
        {
            try { await part.TeardownAsync(run, ct); }
            catch (Exception e) { (errors ??= []).Add(e); }
        }
        if (errors is not null) throw new AggregateException("nemesis teardown failed", errors);
    }
}
