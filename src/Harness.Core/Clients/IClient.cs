using Harness.Core.Control;
using Harness.Core.Histories;
using Harness.Core.Runs;

namespace Harness.Core.Clients;

/// <summary>Opens a client bound to a node (Jepsen's open!).</summary>
public delegate Task<IClient> ClientFactory(RunContext run, Node node, CancellationToken ct);

/// <summary>Applies operations to the database. DisposeAsync closes it.</summary>
public interface IClient : IAsyncDisposable
{
    /// <summary>Creates tables or keys the workload needs; idempotent.</summary>
    Task SetupAsync(CancellationToken ct);

    /// <summary>
    /// Applies one invocation and returns its completion: Ok (it happened, with the value read), Fail (it
    /// certainly did not happen) or Info (unknown). Database errors never throw; a throw counts as Info.
    /// </summary>
    Task<Operation> InvokeAsync(Operation op, CancellationToken ct);

    Task TeardownAsync(CancellationToken ct);
}
