using Harness.Core.Control;
using Harness.Core.Databases;
using Harness.Core.Histories;
using Harness.Core.Runs;

namespace Harness.Core.Nemeses;

/// <summary>
/// Kills a random node's server (kill) or the primary's (kill-primary, needs <see cref="IHasPrimary"/>) with
/// SIGKILL, and restarts every killed server (start). Teardown restarts whatever is still down.
/// </summary>
public sealed class KillNemesis(Random random, IKillable killable, IHasPrimary? primaries) : INemesis
{
    private readonly Lock _lock = new();
    private readonly HashSet<Node> _killed = [];

    public IReadOnlySet<string> Fs { get; } = new HashSet<string> { NemesisFs.Kill, NemesisFs.KillPrimary, NemesisFs.Start };

    public Task SetupAsync(RunContext run, CancellationToken ct) => Task.CompletedTask;

    public async Task<Operation> InvokeAsync(RunContext run, Operation op, CancellationToken ct)
    {
        switch (op.F)
        {
            case NemesisFs.Start:
                var restarted = await RestartAllAsync(run, ct);
                return NemesisValues.Done(op, NemesisValues.Nodes(restarted));
            case NemesisFs.KillPrimary:
                var primary = primaries is null ? null : await primaries.PrimaryAsync(run, ct);
                if (primary is null) return op with { Type = OpType.Info, Error = "no primary known" };
                await KillAsync(run, primary, ct);
                return NemesisValues.Done(op, NemesisValues.Nodes([primary]));
            default:
                var node = run.Nodes[random.Next(run.Nodes.Length)];
                await KillAsync(run, node, ct);
                return NemesisValues.Done(op, NemesisValues.Nodes([node]));
        }
    }

    private async Task KillAsync(RunContext run, Node node, CancellationToken ct)
    {
        lock (_lock) _killed.Add(node);
        await killable.KillAsync(run, node, ct);
    }

    private async Task<List<Node>> RestartAllAsync(RunContext run, CancellationToken ct)
    {
        List<Node> nodes;
        lock (_lock) nodes = [.. _killed.OrderBy(n => n.Number)];
        foreach (var node in nodes)
        {
            await killable.StartAsync(run, node, ct);
            lock (_lock) _killed.Remove(node);
        }
        return nodes;
    }

    public Task TeardownAsync(RunContext run, CancellationToken ct) => RestartAllAsync(run, ct);
}
