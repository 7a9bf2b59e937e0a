using Harness.Core.Histories;
using Harness.Core.Runs;

namespace Harness.Core.Nemeses;

/// <summary>Packet loss on a random subset of nodes (start-loss, value {"probability": p}); stop-loss heals.</summary>
public sealed class LossNemesis(Random random, double probability) : INemesis
{
    public IReadOnlySet<string> Fs { get; } = new HashSet<string> { NemesisFs.StartLoss, NemesisFs.StopLoss };

    public Task SetupAsync(RunContext run, CancellationToken ct) => Task.CompletedTask;

    public async Task<Operation> InvokeAsync(RunContext run, Operation op, CancellationToken ct)
    {
        if (op.F == NemesisFs.StopLoss) return await NetworkHeal.HealAsync(run, op, ct);
        var p = op.Value?.Get("probability") is { } d ? d.AsDouble() : probability;
        var nodes = run.Nodes.ToArray();
        random.Shuffle(nodes);
        var hit = nodes[..random.Next(1, nodes.Length + 1)];
        await run.Cluster.Network.LossAsync(hit, p, ct);
        return NemesisValues.Done(op, NemesisValues.Map(("nodes", NemesisValues.Names(hit)), ("probability", Datum.Of(p))));
    }

    public Task TeardownAsync(RunContext run, CancellationToken ct) => run.Cluster.Network.HealAsync(ct);
}
