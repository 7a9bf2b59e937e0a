using Harness.Core.Checking;
using Harness.Core.Histories;

namespace Harness.Workloads;

/// <summary>Stands in for a checker that is not available; always Unknown, saying so.</summary>
public sealed class PendingChecker(string name) : IChecker
{
    public string Name => name;

    public CheckResult Check(History history, CancellationToken ct) =>
        CheckResult.Unknown(name, $"no {name} checker is available in this build; the history was recorded but not checked");
}
