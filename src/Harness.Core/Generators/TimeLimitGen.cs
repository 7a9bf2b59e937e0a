using Harness.Core.Histories;

namespace Harness.Core.Generators;

internal sealed class TimeLimitGen(IGenerator gen, long limitNanos, long deadlineNanos) : IGenerator
{
    public GenStep Next(GenContext ctx)
    {
        var deadline = deadlineNanos < 0 ? ctx.TimeNanos + limitNanos : deadlineNanos;
        if (ctx.TimeNanos >= deadline) return EmptyGen.Exhausted;
        return gen.Next(ctx) switch
        {
            // An op due after the deadline will never run, but others (e.g. the nemesis beside slow
            // clients) may still be due before it: wait for the deadline rather than end now.
            GenStep.Emit e when e.Op.TimeNanos >= deadline => new GenStep.Pending(new TimeLimitGen(gen, limitNanos, deadline)) { WakeNanos = deadline },
            GenStep.Emit e => new GenStep.Emit(e.Op, new TimeLimitGen(e.Next, limitNanos, deadline)),
            GenStep.Pending p => new GenStep.Pending(new TimeLimitGen(p.Next, limitNanos, deadline)) { WakeNanos = Math.Min(p.WakeNanos, deadline) },
            var done => done,
        };
    }

    public IGenerator Update(GenContext ctx, Operation completed) =>
        new TimeLimitGen(gen.Update(ctx, completed), limitNanos, deadlineNanos);
}
