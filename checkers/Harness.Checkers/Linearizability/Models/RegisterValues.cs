using Harness.Core.Histories;

namespace Harness.Checkers.Linearizability.Models;

/// <summary>Value-shape helpers shared by the register models.</summary>
internal static class RegisterValues
{
    public static (Datum Old, Datum New) CasPair(in OpPair pair)
    {
        var v = pair.Input;
        if (v.IsSeq && v.Count == 2) return (v[0], v[1]);
        throw new LinearizabilityInputException($"op {pair.Index}: cas needs the value [old new], got {v}");
    }

    public static LinearizabilityInputException UnknownF(in OpPair pair, string model, string fs) =>
        new($"op {pair.Index}: the {model} model does not know f={pair.F} (it understands {fs})");
}
