using Harness.Core.Histories;

namespace Harness.Core.Checking;

/// <summary>
/// Pure: a history in, a verdict out. No I/O, no clock (a timeout comes through the token
/// and must yield <see cref="Validity.Unknown"/>, not an exception).
/// </summary>
public interface IChecker
{
    /// <summary>The checker's name in results.json.</summary>
    string Name { get; }

    CheckResult Check(History history, CancellationToken ct);
}
