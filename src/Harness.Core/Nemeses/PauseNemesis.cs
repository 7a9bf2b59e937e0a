using Harness.Core.Control;
using Harness.Core.Databases;
using Harness.Core.Histories;
using Harness.Core.Runs;

namespace Harness.Core.Nemeses;

/// <summary>Pauses a random node's server with SIGSTOP (pause) and resumes every paused one (resume).</summary>
public sealed class PauseNemesis(Random random, IPausable pausable) : INemesis
{
    private readonly Lock _lock = new();
    private readonly HashSet<Node> _paused = [];

    public IReadOnlySet<string> Fs { get; } = new HashSet<string> { NemesisFs.Pause, NemesisFs.Resume };

    public Task SetupAsync(RunContext run, CancellationToken ct) => Task.CompletedTask;

    public async Task<Operation> InvokeAsync(RunContext run, Operation op, CancellationToken ct)
    {
        if (op.F == NemesisFs.Resume) return NemesisValues.Done(op, NemesisValues.Nodes(await ResumeAllAsync(run, ct)));
        var node = run.Nodes[random.Next(run.Nodes.Length)];
        lock (_lock) _paused.Add(node);
        await pausable.PauseAsync(run, node, ct);
        return NemesisValues.Done(op, NemesisValues.Nodes([node]));
    }

    private async Task<List<Node>> ResumeAllAsync(RunContext run, CancellationToken ct)
    {
        List<Node> nodes;
        lock (_lock) nodes = [.. _paused.OrderBy(n => n.Number)];
        foreach (var node in nodes)
        {
            await pausable.ResumeAsync(run, node, ct);
            lock (_lock) _paused.Remove(node);
        }
        return nodes;
    }

    public Task TeardownAsync(RunContext run, CancellationToken ct) => ResumeAllAsync(run, ct);
}
