using Harness.Core.Histories;

namespace Harness.Core.Generators;

internal sealed class MapGen(IGenerator gen, Func<Operation, Operation> f) : IGenerator
{
    public GenStep Next(GenContext ctx) => gen.Next(ctx) switch
    {
        GenStep.Emit e => new GenStep.Emit(f(e.Op), new MapGen(e.Next, f)),
        GenStep.Pending p => p with { Next = new MapGen(p.Next, f) },
        var done => done,
    };

    public IGenerator Update(GenContext ctx, Operation completed) => new MapGen(gen.Update(ctx, completed), f);
}
