using Harness.Core.Histories;
using Harness.Core.Runs;

namespace Harness.Core.Nemeses;

/// <summary>The heal shared by the network nemeses (partition, loss): remove every network fault, name the nodes healed.</summary>
internal static class NetworkHeal
{
    public static async Task<Operation> HealAsync(RunContext run, Operation op, CancellationToken ct)
    {
        await run.Cluster.Network.HealAsync(ct);
        return NemesisValues.Done(op, NemesisValues.Map(("healed", NemesisValues.Names(run.Nodes))));
    }
}
