using System.Collections.Immutable;
using Harness.Core.Histories;

namespace Harness.Core.Checking;

/// <summary>Combinators over checkers (Jepsen's checker/compose and check-safe).</summary>
public static class Checkers
{
    /// <summary>Runs every checker (in parallel); a crash becomes Unknown; the verdict is the worst one.</summary>
    public static IChecker Compose(string name, params IEnumerable<IChecker> checkers) => new ComposedChecker(name, [.. checkers]);

    /// <summary>Runs a checker, turning an exception or a cancellation into an Unknown result.</summary>
    public static CheckResult CheckSafe(IChecker checker, History history, CancellationToken ct)
    {
        try
        {
            return checker.Check(history, ct);
        }
        catch (OperationCanceledException)
        {
            return CheckResult.Unknown(checker.Name, "timed out before reaching a verdict");
        }
#pragma warning disable CA1031 // a checker crash must become Unknown, never crash the run
        catch (Exception e)
#pragma warning restore CA1031
        {
            return CheckResult.Unknown(checker.Name, $"checker crashed: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>Merges results: the worst verdict, summaries joined.</summary>
    public static CheckResult Merge(string name, IReadOnlyList<CheckResult> results)
    {
        var validity = results.Aggregate(Validity.Valid, (v, r) => v.Merge(r.Validity));
        var bad = results.Where(r => r.Validity != Validity.Valid).ToList();
        var summary = results.Count == 0 ? "nothing to check"
            : bad.Count == 0 ? $"all {results.Count} checks passed"
            : string.Join("; ", bad.Select(r => $"{r.Checker}: {r.Summary}"));
        return new CheckResult { Checker = name, Validity = validity, Summary = summary, Children = [.. results] };
    }

    private sealed class ComposedChecker(string name, ImmutableArray<IChecker> checkers) : IChecker
    {
        public string Name => name;

        public CheckResult Check(History history, CancellationToken ct)
        {
            var results = new CheckResult[checkers.Length];
            Parallel.For(0, checkers.Length, i => results[i] = CheckSafe(checkers[i], history, ct));
            return Merge(name, results);
        }
    }
}
