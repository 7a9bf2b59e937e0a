using Harness.Core.Histories;

namespace Harness.Core.Generators;

internal sealed class RepeatGen(IGenerator gen, long times) : IGenerator
{
    public GenStep Next(GenContext ctx)
    {
        if (times == 0) return EmptyGen.Exhausted;
        return gen.Next(ctx) switch
        {
            GenStep.Emit e => new GenStep.Emit(e.Op, times < 0 ? this : new RepeatGen(gen, times - 1)),
            GenStep.Pending p => p with { Next = new RepeatGen(p.Next, times) },
            var done => done,
        };
    }

    public IGenerator Update(GenContext ctx, Operation completed) => new RepeatGen(gen.Update(ctx, completed), times);
}
