using Harness.Core.Histories;

namespace Harness.Core.Generators;

internal sealed class FnGen(Func<GenContext, OpSpec?> f) : IGenerator
{
    public GenStep Next(GenContext ctx)
    {
        if (ctx.SomeFreeProcess() is not { } process) return new GenStep.Pending(this);
        if (f(ctx) is not { } spec) return EmptyGen.Exhausted;
        return new GenStep.Emit(new Operation(OpType.Invoke, process, spec.F, spec.Value) { TimeNanos = ctx.TimeNanos }, this);
    }
}
