using Harness.Core.Histories;

namespace Harness.Core.Generators;

internal sealed class SynchronizeGen(IGenerator gen) : IGenerator
{
    public GenStep Next(GenContext ctx) => ctx.AllFree ? gen.Next(ctx) : new GenStep.Pending(this);

    public IGenerator Update(GenContext ctx, Operation completed) => new SynchronizeGen(gen.Update(ctx, completed));
}
