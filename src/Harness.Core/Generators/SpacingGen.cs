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
                // Schedule from the planned time, not from when the op really started, so a late start (timer
                // granularity, busy workers) is caught up, keeping the rate; the backlog is capped at a few ops.
                var planned = e.Op.TimeNanos > ctx.TimeNanos ? time : Math.Max(earliest, ctx.TimeNanos - 4 * intervalNanos);
                return new GenStep.Emit(op, new SpacingGen(e.Next, intervalNanos, random, planned + gap));
            case GenStep.Pending p:
                return p with { Next = new SpacingGen(p.Next, intervalNanos, random, nextTimeNanos) };
            case var done:
                return done;
        }
    }

    public IGenerator Update(GenContext ctx, Operation completed) =>
        new SpacingGen(gen.Update(ctx, completed), intervalNanos, random, nextTimeNanos);
}
