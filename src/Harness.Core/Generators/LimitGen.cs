using Harness.Core.Histories;

namespace Harness.Core.Generators;

internal sealed class LimitGen(long remaining, IGenerator gen) : IGenerator
{
    public GenStep Next(GenContext ctx)
    {
        if (remaining <= 0) return EmptyGen.Exhausted;
        return gen.Next(ctx) switch
        {
            GenStep.Emit e => new GenStep.Emit(e.Op, new LimitGen(remaining - 1, e.Next)),
            GenStep.Pending p => p with { Next = new LimitGen(remaining, p.Next) },
            var done => done,
        };
    }

    public IGenerator Update(GenContext ctx, Operation completed) =>
        remaining <= 0 ? this : new LimitGen(remaining, gen.Update(ctx, completed));
}
