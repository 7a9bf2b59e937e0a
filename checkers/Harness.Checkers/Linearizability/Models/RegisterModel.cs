namespace Harness.Checkers.Linearizability.Models;

/// <summary>
/// A read/write/cas register, initially nil. With exact reads (<c>register</c>) a read of nil means "not
/// written yet"; as Knossos' <c>cas-register</c> (<paramref name="nilReadMatchesAnything"/>) a nil read matches
/// any value. Keyed histories (<c>{"key":k,"value":v}</c>) are checked per key. Fails never happened; info
/// writes/cas may take effect or not; reads that did not complete ok are left out.
/// </summary>
public sealed class RegisterModel(bool nilReadMatchesAnything = false) : LinearizabilityModel<int, RegisterOp>
{
    /// <summary>Knossos' cas-register: write v, cas [a b] (legal only when the value is a), read v (nil matches anything).</summary>
    public static RegisterModel CasRegister() => new(nilReadMatchesAnything: true);

    public override string Name => nilReadMatchesAnything ? "cas-register" : "register";

    public override string Description => nilReadMatchesAnything
        ? "Knossos cas-register: read/write/cas, initially nil, a nil read matches anything; per key"
        : "read/write/cas register, initially nil, exact reads; per key";
    public override bool SplitsByKey => true;

    public override OpInclusion Convert(in OpPair pair, ValueInterner values, out RegisterOp op)
    {
        switch (pair.F)
        {
            case "read":
                op = new RegisterOp(RegisterOpKind.Read, values.Id(pair.Output), 0);
                return nilReadMatchesAnything && pair.Output.IsNil ? OpInclusion.Skip : pair.ReadInclusion;
            case "write":
                op = new RegisterOp(RegisterOpKind.Write, values.Id(pair.Input), 0);
                return pair.DefaultInclusion;
            case "cas":
                var (old, @new) = RegisterValues.CasPair(pair);
                op = new RegisterOp(RegisterOpKind.Cas, values.Id(old), values.Id(@new));
                return pair.DefaultInclusion;
            default:
                throw RegisterValues.UnknownF(pair, Name, "read, write, cas");
        }
    }

    public override int Init(ValueInterner values) => ValueInterner.Nil;

    public override bool Step(in int state, in RegisterOp op, out int next) => op.Apply(state, out next);

    public override string DescribeState(in int state, ValueInterner values) => $"the register holds {values.Describe(state)}";
}
