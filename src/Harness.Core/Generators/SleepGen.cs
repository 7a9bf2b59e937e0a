namespace Harness.Core.Generators;

internal sealed class SleepGen(long durationNanos, long untilNanos) : IGenerator
{
    public GenStep Next(GenContext ctx)
    {
        var until = untilNanos < 0 ? ctx.TimeNanos + durationNanos : untilNanos;
        return ctx.TimeNanos >= until ? EmptyGen.Exhausted : new GenStep.Pending(new SleepGen(durationNanos, until)) { WakeNanos = until };
    }
}
