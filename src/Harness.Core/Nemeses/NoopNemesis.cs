using Harness.Core.Histories;
using Harness.Core.Runs;

namespace Harness.Core.Nemeses;

/// <summary>Does nothing; every op completes as Info.</summary>
public sealed class NoopNemesis : INemesis
{
    public IReadOnlySet<string> Fs { get; } = new HashSet<string>();

    public Task SetupAsync(RunContext run, CancellationToken ct) => Task.CompletedTask;

    public Task<Operation> InvokeAsync(RunContext run, Operation op, CancellationToken ct) =>
        Task.FromResult(op with { Type = OpType.Info, Error = "no nemesis handles this op" });

    public Task TeardownAsync(RunContext run, CancellationToken ct) => Task.CompletedTask;
}
