using System.Collections.Immutable;
using Harness.Core.Histories;

namespace Harness.Core.Generators;

internal sealed class AnyGen(ImmutableArray<IGenerator> gens) : IGenerator
{
    public GenStep Next(GenContext ctx)
    {
        var after = new IGenerator?[gens.Length]; // state to keep per child; null = exhausted
        GenStep.Emit? best = null;
        var bestIndex = -1;
        for (var i = 0; i < gens.Length; i++)
        {
            switch (gens[i].Next(ctx))
            {
                case GenStep.Emit e:
                    after[i] = gens[i]; // not chosen: ask it again later
                    if (best is null || e.Op.TimeNanos < best.Op.TimeNanos)
                    {
                        best = e;
                        bestIndex = i;
                    }
                    break;
                case GenStep.Pending p:
                    after[i] = p.Next;
                    break;
                default:
                    after[i] = null;
                    break;
            }
        }
        if (best is not null) after[bestIndex] = best.Next;
        var remaining = ImmutableArray.CreateRange(after.Where(g => g is not null).Select(g => g!)); // filtered non-null
        if (best is not null) return new GenStep.Emit(best.Op, remaining.Length == 1 ? remaining[0] : new AnyGen(remaining));
        if (remaining.Length == 0) return EmptyGen.Exhausted;
        return new GenStep.Pending(remaining.Length == 1 ? remaining[0] : new AnyGen(remaining));
    }

    public IGenerator Update(GenContext ctx, Operation completed)
    {
        var builder = ImmutableArray.CreateBuilder<IGenerator>(gens.Length);
        foreach (var g in gens) builder.Add(g.Update(ctx, completed));
        return new AnyGen(builder.MoveToImmutable());
    }
}
