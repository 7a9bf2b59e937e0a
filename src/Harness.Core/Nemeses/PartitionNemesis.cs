using Harness.Core.Databases;
using Harness.Core.Histories;
using Harness.Core.Runs;

namespace Harness.Core.Nemeses;

/// <summary>
/// Partitions the network (start-partition, value {"shape": s}) and heals it (stop-partition) through
/// <see cref="Control.ICluster.Network"/>. The completion names the nodes and the components or cut links.
/// </summary>
public sealed class PartitionNemesis(Random random, IDatabase database) : INemesis
{
    public IReadOnlySet<string> Fs { get; } = new HashSet<string> { NemesisFs.StartPartition, NemesisFs.StopPartition };

    public Task SetupAsync(RunContext run, CancellationToken ct) => Task.CompletedTask;

    public async Task<Operation> InvokeAsync(RunContext run, Operation op, CancellationToken ct)
    {
        if (op.F == NemesisFs.StopPartition) return await NetworkHeal.HealAsync(run, op, ct);
        var shape = op.Value?.Get("shape")?.AsName() ?? PartitionShapes.Majority;
        var primary = shape == PartitionShapes.Primaries && database is IHasPrimary p ? await p.PrimaryAsync(run, ct) : null;
        var plan = PartitionShapes.Plan(shape, run.Nodes, random, primary);
        if (plan.IsEmpty)
            return op with { Type = OpType.Info, Error = shape == PartitionShapes.Primaries ? "no primary known" : "nothing to partition" };
        if (!plan.Components.IsEmpty)
        {
            await run.Cluster.Network.PartitionAsync([.. plan.Components.Select(c => (IReadOnlyList<Control.Node>)c)], ct);
            return NemesisValues.Done(op, NemesisValues.Map(
                ("shape", Datum.Of(shape)),
                ("nodes", NemesisValues.Names(plan.Affected)),
                ("components", Datum.Vec(plan.Components.Select(c => NemesisValues.Names(c))))));
        }
        await run.Cluster.Network.DropLinksAsync(plan.Links, ct);
        return NemesisValues.Done(op, NemesisValues.Map(
            ("shape", Datum.Of(shape)),
            ("nodes", NemesisValues.Names(plan.Affected)),
            ("links", Datum.Vec(plan.Links.Select(l => NemesisValues.Names([l.A, l.B]))))));
    }

    public Task TeardownAsync(RunContext run, CancellationToken ct) => run.Cluster.Network.HealAsync(ct);
}
