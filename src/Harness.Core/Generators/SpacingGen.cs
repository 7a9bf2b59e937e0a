using Harness.Core.Histories;

namespace Harness.Core.Generators;

/// <summary>Stagger (random spacing in [0, 2·interval)) or Delay (fixed spacing).</summary>
internal sealed class SpacingGen(IGenerator gen, long intervalNanos, bool random, long nextTimeNanos) : IGenerator
{
    public GenStep Next(GenContext ctx)
    {
        switch (gen.Next(ctx))
        {
            case GenStep.Emit e:
                var earliest = nextTimeNanos < 0 ? ctx.TimeNanos : nextTimeNanos;
                var time = Math.Max(e.Op.TimeNanos, earliest);
                var gap = random ? (long)(ctx.Random.NextDouble() * 2 * intervalNanos) : intervalNanos;
                var op = time == e.Op.TimeNanos ? e.Op : e.Op with { TimeNanos = time };
                return new GenStep.Emit(op, new SpacingGen(e.Next, intervalNanos, random, time + gap));
            case GenStep.Pending p:
                return new GenStep.Pending(new SpacingGen(p.Next, intervalNanos, random, nextTimeNanos));
            case var done:
                return done;
        }
    }

    public IGenerator Update(GenContext ctx, Operation completed) =>
        new SpacingGen(gen.Update(ctx, completed), intervalNanos, random, nextTimeNanos);
}
