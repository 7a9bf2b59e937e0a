using Harness.Core.Histories;

namespace Harness.Core.Generators;

internal sealed class FilterGen(IGenerator gen, Func<Operation, bool> predicate) : IGenerator
{
    public GenStep Next(GenContext ctx)
    {
        var current = gen;
        for (var attempt = 0; attempt < 10_000; attempt++)
        {
            switch (current.Next(ctx))
            {
                case GenStep.Emit e when predicate(e.Op):
                    return new GenStep.Emit(e.Op, new FilterGen(e.Next, predicate));
                case GenStep.Emit e:
                    current = e.Next;
                    break;
                case GenStep.Pending p:
                    return p with { Next = new FilterGen(p.Next, predicate) };
                case var done:
                    return done;
            }
        }
        return new GenStep.Pending(new FilterGen(current, predicate));
    }

    public IGenerator Update(GenContext ctx, Operation completed) => new FilterGen(gen.Update(ctx, completed), predicate);
}
