namespace Harness.Core.Generators;

internal sealed class EmptyGen : IGenerator
{
    private static readonly GenStep.Exhausted Done = new();

    public GenStep Next(GenContext ctx) => Done;

    internal static GenStep Exhausted => Done;
}
