using System.Collections.Immutable;
using Harness.Core.Histories;

namespace Harness.Core.Generators;

internal sealed class SeqGen : IGenerator
{
    private readonly ImmutableArray<IGenerator> _rest; // generators after the current one
    private readonly int _next;                        // index in _rest of the one after the current
    private readonly IGenerator _current;

    private SeqGen(IGenerator current, ImmutableArray<IGenerator> rest, int next)
    {
        _current = current;
        _rest = rest;
        _next = next;
    }

    public static IGenerator Create(ImmutableArray<IGenerator> gens) => gens.Length switch
    {
        0 => Gen.Empty,
        1 => gens[0],
        _ => new SeqGen(gens[0], gens, 1),
    };

    public GenStep Next(GenContext ctx)
    {
        var current = _current;
        var next = _next;
        while (true)
        {
            switch (current.Next(ctx))
            {
                case GenStep.Emit e:
                    return new GenStep.Emit(e.Op, new SeqGen(e.Next, _rest, next));
                case GenStep.Pending p:
                    return p with { Next = new SeqGen(p.Next, _rest, next) };
                default:
                    if (next >= _rest.Length) return EmptyGen.Exhausted;
                    current = _rest[next++];
                    break;
            }
        }
    }

    public IGenerator Update(GenContext ctx, Operation completed) =>
        new SeqGen(_current.Update(ctx, completed), _rest, _next);
}
