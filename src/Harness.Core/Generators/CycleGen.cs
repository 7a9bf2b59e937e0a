using Harness.Core.Histories;

namespace Harness.Core.Generators;

internal sealed class CycleGen(IGenerator original, IGenerator current, long times) : IGenerator
{
    public GenStep Next(GenContext ctx)
    {
        if (times == 0) return EmptyGen.Exhausted;
        var gen = current;
        var remaining = times;
        var restarted = false;
        while (true)
        {
            switch (gen.Next(ctx))
            {
                case GenStep.Emit e:
                    return new GenStep.Emit(e.Op, new CycleGen(original, e.Next, remaining));
                case GenStep.Pending p:
                    return p with { Next = new CycleGen(original, p.Next, remaining) };
                default:
                    if (restarted) return EmptyGen.Exhausted; // an empty cycle would spin forever
                    if (remaining > 0 && --remaining == 0) return EmptyGen.Exhausted;
                    gen = original;
                    restarted = true;
                    break;
            }
        }
    }

    public IGenerator Update(GenContext ctx, Operation completed) => new CycleGen(original, current.Update(ctx, completed), times);
}
