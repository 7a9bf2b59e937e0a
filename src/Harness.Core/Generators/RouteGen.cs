using Harness.Core.Histories;

namespace Harness.Core.Generators;

/// <summary>Shows <c>gen</c> only the client threads, or only the nemesis thread.</summary>
internal sealed class RouteGen(IGenerator gen, bool clients) : IGenerator
{
    public GenStep Next(GenContext ctx) =>
        gen.Next(clients ? ctx.ClientsOnly() : ctx.NemesisOnly()) switch
        {
            GenStep.Emit e => new GenStep.Emit(e.Op, new RouteGen(e.Next, clients)),
            GenStep.Pending p => p with { Next = new RouteGen(p.Next, clients) },
            var done => done,
        };

    public IGenerator Update(GenContext ctx, Operation completed) =>
        completed.IsClient == clients ? new RouteGen(gen.Update(clients ? ctx.ClientsOnly() : ctx.NemesisOnly(), completed), clients) : this;
}
