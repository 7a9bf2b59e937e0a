using System.Collections.Immutable;
using Harness.Core.Histories;

namespace Harness.Core.Generators;

/// <summary>
/// The soonest op of several generators. When that op is not due yet, it answers Pending (waking at its
/// time) instead, so the state the other generators gained while being asked (a sleep that started...) is kept.
/// </summary>
internal sealed class AnyGen(ImmutableArray<IGenerator> gens) : IGenerator
{
    public GenStep Next(GenContext ctx)
    {
        if (gens.Length == 1) return gens[0].Next(ctx);
        var after = new IGenerator?[gens.Length]; // state to keep per child; null = exhausted
        GenStep.Emit? best = null;
        var bestIndex = -1;
        var wake = long.MaxValue;
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
                    wake = Math.Min(wake, p.WakeNanos);
                    break;
                default:
                    after[i] = null;
                    break;
            }
        }
        if (best is not null && best.Op.TimeNanos <= ctx.TimeNanos)
        {
            after[bestIndex] = best.Next;
            return new GenStep.Emit(best.Op, Of(after));
        }
        if (best is not null) wake = Math.Min(wake, best.Op.TimeNanos);
        if (after.All(g => g is null)) return EmptyGen.Exhausted;
        return new GenStep.Pending(Of(after)) { WakeNanos = wake };
    }

    private static IGenerator Of(IGenerator?[] after)
    {
        var remaining = ImmutableArray.CreateRange(after.OfType<IGenerator>());
        return remaining.Length switch
        {
            0 => Gen.Empty,
            1 => remaining[0],
            _ => new AnyGen(remaining),
        };
    }

    public IGenerator Update(GenContext ctx, Operation completed)
    {
        var builder = ImmutableArray.CreateBuilder<IGenerator>(gens.Length);
        foreach (var g in gens) builder.Add(g.Update(ctx, completed));
        return new AnyGen(builder.MoveToImmutable());
    }
}
