using System.Collections.Immutable;
using Harness.Core.Histories;

namespace Harness.Core.Generators;

internal sealed class MixGen(ImmutableArray<IGenerator> gens, int chosen) : IGenerator
{
    public GenStep Next(GenContext ctx)
    {
        var current = gens;
        var i = chosen;
        while (current.Length > 0)
        {
            if (i < 0 || i >= current.Length) i = ctx.Random.Next(current.Length);
            switch (current[i].Next(ctx))
            {
                case GenStep.Emit e:
                    return new GenStep.Emit(e.Op, new MixGen(current.SetItem(i, e.Next), -1));
                case GenStep.Pending p:
                    return p with { Next = new MixGen(current.SetItem(i, p.Next), i) };
                default:
                    current = current.RemoveAt(i);
                    i = -1;
                    break;
            }
        }
        return EmptyGen.Exhausted;
    }

    public IGenerator Update(GenContext ctx, Operation completed)
    {
        var builder = ImmutableArray.CreateBuilder<IGenerator>(gens.Length);
        foreach (var g in gens) builder.Add(g.Update(ctx, completed));
        return new MixGen(builder.MoveToImmutable(), chosen);
    }
}
