using Harness.Core.Histories;

namespace Harness.Core.Generators;

/// <summary>A pure schedule of operations: no I/O, no clock, randomness only from the context.</summary>
public interface IGenerator
{
    GenStep Next(GenContext ctx);

    /// <summary>Sees each completion (e.g. to read back what was written); returns the generator to use next.</summary>
    IGenerator Update(GenContext ctx, Operation completed) => this;
}

/// <summary>What a generator says next.</summary>
public abstract record GenStep
{
    private GenStep() { }

    /// <summary>Emit this invocation (its Process must be free, its TimeNanos the earliest time to start it).</summary>
    public sealed record Emit(Operation Op, IGenerator Next) : GenStep;

    /// <summary>
    /// Nothing now; ask again after the next completion, or at <see cref="WakeNanos"/> when time alone will
    /// change the answer (a sleep ending, an op falling due); <see cref="long.MaxValue"/> when unknown.
    /// </summary>
    public sealed record Pending(IGenerator Next) : GenStep
    {
        public long WakeNanos { get; init; } = long.MaxValue;
    }

    /// <summary>Done for good.</summary>
    public sealed record Exhausted : GenStep;
}
