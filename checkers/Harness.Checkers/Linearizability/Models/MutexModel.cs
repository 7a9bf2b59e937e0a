namespace Harness.Checkers.Linearizability.Models;

/// <summary>
/// Knossos' mutex: initially free; <c>acquire</c> is legal only when free, <c>release</c> only when held
/// (the holder is not tracked). Fails never happened; info acquires/releases may take effect or not.
/// </summary>
public sealed class MutexModel : LinearizabilityModel<bool, bool>
{
    public override string Name => "mutex";
    public override string Description => "Knossos mutex: acquire/release, initially free";

    /// <summary>The op is true for acquire, false for release.</summary>
    public override OpInclusion Convert(in OpPair pair, ValueInterner values, out bool op)
    {
        op = pair.F switch
        {
            "acquire" => true,
            "release" => false,
            _ => throw RegisterValues.UnknownF(pair, Name, "acquire, release"),
        };
        return pair.DefaultInclusion;
    }

    public override bool Init(ValueInterner values) => false;

    public override bool Step(in bool state, in bool op, out bool next)
    {
        next = op;
        return state != op;
    }

    public override string DescribeState(in bool state, ValueInterner values) => state ? "the mutex is held" : "the mutex is free";
}
