using Harness.Core.Clients;
using Harness.Core.Control;
using Harness.Core.Histories;

namespace Harness.Databases.Memory;

/// <summary>A client of <see cref="MemoryDatabase"/> bound to one node.</summary>
internal sealed class MemoryClient(MemoryDatabase db, Node node) : IClient
{
    public Task SetupAsync(CancellationToken ct) => Task.CompletedTask;

    public Task<Operation> InvokeAsync(Operation op, CancellationToken ct)
    {
        if (db.IsKilled(node)) return Task.FromResult(op.Fail("connection-refused"));
        if (db.PauseGate(node) is { } gate) return WaitThenApplyAsync(gate, op, ct);
        return Task.FromResult(db.Store.Apply(op));
    }

    private async Task<Operation> WaitThenApplyAsync(Task gate, Operation op, CancellationToken ct)
    {
        await gate.WaitAsync(ct);
        return db.IsKilled(node) ? op.Info("connection-reset") : db.Store.Apply(op);
    }

    public Task TeardownAsync(CancellationToken ct) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
