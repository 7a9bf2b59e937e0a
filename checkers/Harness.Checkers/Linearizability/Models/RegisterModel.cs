namespace Harness.Checkers.Linearizability.Models;

/// <summary>
/// A read/write/cas register, initially nil, with exact reads (a read of nil means "not written yet").
/// Keyed histories (<c>{"key":k,"value":v}</c>) are checked per key. Fails never happened; info
/// writes/cas may take effect or not; reads that did not complete ok are left out.
/// </summary>
public sealed class RegisterModel : LinearizabilityModel<int, RegisterOp>
{
    public override string Name => "register";
    public override string Description => "read/write/cas register, initially nil, exact reads; per key";
    public override bool SplitsByKey => true;

    public override OpInclusion Convert(in OpPair pair, ValueInterner values, out RegisterOp op)
    {
        switch (pair.F)
        {
            case "read":
                op = new RegisterOp(RegisterOpKind.Read, values.Id(pair.Output), 0);
                return pair.ReadInclusion;
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

    public override bool Step(in int state, in RegisterOp op, out int next)
    {
        switch (op.Kind)
        {
            case RegisterOpKind.Read: next = state; return state == op.A;
            case RegisterOpKind.Write: next = op.A; return true;
            case RegisterOpKind.Cas: next = op.B; return state == op.A;
            default: next = state; return false;
        }
    }

    public override string DescribeState(in int state, ValueInterner values) => $"the register holds {values.Describe(state)}";
}
