using Harness.Core.Databases;
using Harness.Core.Histories;
using Harness.Core.Runs;

namespace Harness.Core.Nemeses;

/// <summary>
/// Replication lag as a fault (start-lag / stop-lag): holds replication back on some or all replicas (all of
/// them when <paramref name="allReplicas"/>, e.g. while another fault runs, so a promotion cannot pick an
/// up-to-date replica), then lets them catch up. Teardown releases them.
/// </summary>
public sealed class LagNemesis(Random random, IHasReplicationLag database, bool allReplicas) : INemesis
{
    public IReadOnlySet<string> Fs { get; } = new HashSet<string> { NemesisFs.StartLag, NemesisFs.StopLag };

    public Task SetupAsync(RunContext run, CancellationToken ct) => Task.CompletedTask;

    public async Task<Operation> InvokeAsync(RunContext run, Operation op, CancellationToken ct)
    {
        if (op.F == NemesisFs.StopLag)
        {
            await database.ReleaseAsync(run, ct);
            return NemesisValues.Done(op, NemesisValues.Map());
        }
        var replicas = (await database.ReplicasAsync(run, ct)).ToArray();
        if (replicas.Length == 0) return op with { Type = OpType.Info, Error = "no replica to hold back" };
        random.Shuffle(replicas);
        var held = allReplicas || random.Next(2) == 0 ? replicas : replicas[..random.Next(1, replicas.Length + 1)];
        await database.HoldAsync(run, held, ct);
        return NemesisValues.Done(op, NemesisValues.Nodes(held.OrderBy(n => n.Number)));
    }

    public Task TeardownAsync(RunContext run, CancellationToken ct) => database.ReleaseAsync(run, ct);
}
