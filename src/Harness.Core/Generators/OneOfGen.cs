using System.Collections.Immutable;
using Harness.Core.Histories;

namespace Harness.Core.Generators;

/// <summary>Picks one of the generators at random when first asked, then is that generator.</summary>
internal sealed class OneOfGen(ImmutableArray<IGenerator> gens) : IGenerator
{
    public GenStep Next(GenContext ctx) =>
        gens.Length == 0 ? EmptyGen.Exhausted : gens[ctx.Random.Next(gens.Length)].Next(ctx);

    public IGenerator Update(GenContext ctx, Operation completed) => this;
}
