using System.Collections.Immutable;
using Harness.Core.Histories;

namespace Harness.Core.Generators;

internal sealed class EachThreadGen(IGenerator template, ImmutableDictionary<int, IGenerator> threads) : IGenerator
{
    public GenStep Next(GenContext ctx)
    {
        var state = threads;
        GenStep.Emit? best = null;
        var bestThread = 0;
        var wake = long.MaxValue;
        foreach (var process in ctx.FreeProcesses)
        {
            var thread = ctx.ThreadOf(process);
            var gen = state.GetValueOrDefault(thread, template);
            switch (gen.Next(ctx with { FreeProcesses = [process] }))
            {
                case GenStep.Emit e:
                    if (best is null || e.Op.TimeNanos < best.Op.TimeNanos)
                    {
                        best = e;
                        bestThread = thread;
                    }
                    break;
                case GenStep.Pending p:
                    state = state.SetItem(thread, p.Next);
                    wake = Math.Min(wake, p.WakeNanos);
                    break;
                default:
                    state = state.SetItem(thread, Gen.Empty);
                    break;
            }
        }
        if (best is not null && best.Op.TimeNanos <= ctx.TimeNanos)
            return new GenStep.Emit(best.Op, new EachThreadGen(template, state.SetItem(bestThread, best.Next)));
        if (best is not null) wake = Math.Min(wake, best.Op.TimeNanos); // not due yet: keep the other threads' state
        var exhausted = state.Values.Count(g => ReferenceEquals(g, Gen.Empty));
        return exhausted >= ctx.ThreadCount ? EmptyGen.Exhausted : new GenStep.Pending(new EachThreadGen(template, state)) { WakeNanos = wake };
    }

    public IGenerator Update(GenContext ctx, Operation completed)
    {
        var thread = ctx.ThreadOf(completed.Process);
        return threads.TryGetValue(thread, out var gen)
            ? new EachThreadGen(template, threads.SetItem(thread, gen.Update(ctx, completed)))
            : this;
    }
}
