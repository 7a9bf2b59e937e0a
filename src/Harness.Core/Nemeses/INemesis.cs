using Harness.Core.Histories;
using Harness.Core.Runs;

namespace Harness.Core.Nemeses;

/// <summary>Injects and heals faults. Its operations use <see cref="Operation.NemesisProcess"/> and complete as Info.</summary>
public interface INemesis
{
    /// <summary>The op.F values it handles, for routing in a composed nemesis.</summary>
    IReadOnlySet<string> Fs { get; }

    Task SetupAsync(RunContext run, CancellationToken ct);

    /// <summary>Applies a fault or a heal; the completion's value names the nodes hit.</summary>
    Task<Operation> InvokeAsync(RunContext run, Operation op, CancellationToken ct);

    /// <summary>Heals everything this nemesis did, always; called in finally, also after Ctrl-C.</summary>
    Task TeardownAsync(RunContext run, CancellationToken ct);
}
